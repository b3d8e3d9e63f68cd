"""The optional LLM endpoint: any OpenAI-compatible chat-completions server (a local Ollama, vLLM or llama.cpp
server, or a hosted API), off by default, through the official ``openai`` client.

Settings (``analysis.config.Settings``): ``REVIEW_INSIGHTS_LLM_BASE_URL`` (e.g. ``http://localhost:11434/v1``),
``REVIEW_INSIGHTS_LLM_MODEL``, ``REVIEW_INSIGHTS_LLM_API_KEY`` (else ``OPENAI_API_KEY``),
``REVIEW_INSIGHTS_LLM_TIMEOUT_S`` (20) and ``REVIEW_INSIGHTS_LLM_RETRIES`` (1).

Privacy first. Only ``localhost`` (and ``*.localhost``), 127.0.0.0/8 and ``::1`` count as this machine; any other
address, even a name that resolves here today, is remote, and nothing at all is sent to it unless
``REVIEW_INSIGHTS_LLM_ALLOW_REMOTE=1``. ``LLM.status()`` says which case holds, in words the UI and the CLI show
(with a remote endpoint allowed: that review text will leave the machine). Prompts carry only what the task needs
(one review, or a theme's keywords and quotes). Answers are cached in the workspace under a hash of model, task and
prompt, so a second run sends nothing. Each call has a timeout and a bounded number of retries; after
``MAX_FAILURES`` failures in a row an ``LLM`` stops sending. Any failure returns None and leaves a notice
(``notices``); callers then use the template version.

For other features (the period report's narrative paragraph)::

    from analysis.actions import LLM
    llm = LLM.from_settings(settings, workspace)        # workspace: the answer cache (optional)
    text = llm.write("report.narrative", prompt)        # str, or None: off, not allowed, failed -> use your template
    notices = llm.notices                               # Messages to show beside the result when it is None

``write(task, prompt, system=None, max_tokens=400)``: ``task`` names the use (part of the cache key and the log,
never sent); ``prompt`` is the user message; ``system`` an optional system message.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlparse

from analysis.config import Settings
from analysis.messages import Message, message

logger = logging.getLogger(__name__)

MAX_FAILURES = 2
MAX_REVIEW_CHARS = 1500  # a review longer than this is cut in the prompt
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese"}


def is_local(base_url: str) -> bool:
    """True only for localhost, *.localhost and loopback addresses (127.0.0.0/8, ::1)."""
    host = (urlparse(base_url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prompt_key(model: str, task: str, system: str | None, prompt: str) -> str:
    """The cache key of an answer: a hash, so the cache holds no review text."""
    joined = "\x1f".join([model, task, system or "", prompt])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@dataclass
class LLM:
    """An OpenAI-compatible endpoint with the privacy switch, the answer cache and the fallback notices."""

    base_url: str = ""
    model: str = ""
    api_key: str = ""
    allow_remote: bool = False
    timeout_s: float = 20.0
    retries: int = 1
    cache: object | None = None  # a Workspace (llm_answer / put_llm_answer), or None: no cache
    send: bool = True  # False: answers from the cache only (an export of what the page showed), nothing sent
    notices: list[Message] = field(default_factory=list)
    sent: int = 0  # requests made by this object (cache hits are not requests)
    _failures: int = field(default=0, init=False, repr=False)
    _client: object | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, cache: object | None = None,
                      environ: Mapping[str, str] | None = None) -> LLM:
        environ = os.environ if environ is None else environ
        return cls(base_url=settings.llm_base_url.strip(), model=settings.llm_model.strip(),
                   api_key=settings.llm_api_key or environ.get("OPENAI_API_KEY", ""),
                   allow_remote=bool(settings.llm_allow_remote), timeout_s=float(settings.llm_timeout_s),
                   retries=max(0, int(settings.llm_retries)), cache=cache)

    # ------------------------------------------------------------------------------------------------ state
    @property
    def host(self) -> str:
        parsed = urlparse(self.base_url)
        return parsed.netloc or self.base_url

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.model)

    @property
    def local(self) -> bool:
        return is_local(self.base_url)

    @property
    def may_send(self) -> bool:
        """Whether anything may be sent at all: configured, and local or explicitly allowed."""
        return self.configured and (self.local or self.allow_remote) and self._failures < MAX_FAILURES

    def status(self) -> Message:
        """What the endpoint setting means for the user's data, to show before anything is used."""
        if not self.base_url:
            return message("llm.off")
        if not self.model:
            return message("llm.no_model")
        if self.local:
            return message("llm.local", model=self.model, host=self.host)
        if not self.allow_remote:
            return message("llm.remote_blocked", host=self.host)
        return message("llm.remote_allowed", host=self.host, model=self.model)

    @property
    def sends_off_machine(self) -> bool:
        return self.configured and not self.local and self.allow_remote

    def cache_only(self) -> LLM:
        """The same endpoint answering from the cache only: what was asked before, without sending anything."""
        return replace(self, send=False, notices=[], sent=0)

    def _notice(self, note: Message) -> None:
        if note not in self.notices:
            self.notices.append(note)

    # ------------------------------------------------------------------------------------------------ calls
    def _chat(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.base_url, api_key=self.api_key or "not-needed",
                                  timeout=self.timeout_s, max_retries=self.retries)
        response = self._client.chat.completions.create(model=self.model, messages=messages, temperature=0.3,
                                                        max_tokens=max_tokens)
        content = response.choices[0].message.content if response.choices else None
        return (content or "").strip()

    def write(self, task: str, prompt: str, system: str | None = None, max_tokens: int = 400) -> str | None:
        """The endpoint's answer to one prompt, from the cache when it was asked before; None when it is off, not
        allowed, or failed (a notice says why)."""
        if not self.configured:
            return None
        if not (self.local or self.allow_remote):
            self._notice(self.status())
            return None
        key = prompt_key(self.model, task, system, prompt)
        if self.cache is not None:
            cached = self.cache.llm_answer(key)
            if cached is not None:
                return cached
        if not self.send or self._failures >= MAX_FAILURES:
            return None
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        try:
            self.sent += 1
            answer = self._chat(messages, max_tokens)
        except ImportError:
            self._failures = MAX_FAILURES
            self._notice(message("llm.no_client"))
            return None
        except Exception as exc:  # noqa: BLE001  any client, network or server error falls back to the template
            self._failures += 1
            logger.warning("LLM task %s failed: %s", task, type(exc).__name__)  # never the prompt: it holds reviews
            self._notice(message("llm.failed", host=self.host, error=type(exc).__name__))
            if self._failures >= MAX_FAILURES:
                self._notice(message("llm.stopped", host=self.host, n=self._failures))
            return None
        if not answer:
            self._notice(message("llm.unusable", host=self.host, reason="empty"))
            return None
        self._failures = 0
        if self.cache is not None:
            self.cache.put_llm_answer(key, self.model, task, answer)
        return answer


# ---------------------------------------------------------------------------------------------------- the uses
REPLY_SYSTEM = (
    "You write replies from a shop's customer care team to customer reviews. Reply in {language}. Write 3 to 5 "
    "sentences as a person would: thank the customer, acknowledge each problem the review names in plain words, "
    "and give the one concrete next step from the reference reply. No placeholders, no greeting by name, no "
    "promises beyond the reference reply. Answer with the reply text only."
)


def reply_prompt(item: Mapping, template: str) -> tuple[str, str]:
    """System and user message for one reply draft: the review, its product and problems, the template draft."""
    language = LANGUAGE_NAMES.get(str(item.get("reply_language")), "English")
    text = str(item.get("text", ""))[:MAX_REVIEW_CHARS]
    problems = ", ".join(str(k) for k in (item.get("kinds") or []))
    prompt = (f"Product: {item.get('product') or 'unknown'}\nProblems: {problems}\nReview: {text}\n"
              f"Reference reply: {template}")
    return REPLY_SYSTEM.format(language=language), prompt


def llm_reply(llm: LLM | None, item: Mapping, template: str) -> str | None:
    """A reply draft from the endpoint, or None (use the template)."""
    if llm is None or not llm.configured:
        return None
    system, prompt = reply_prompt(item, template)
    answer = llm.write("reply", prompt, system=system, max_tokens=400)
    if answer is None:
        return None
    if len(answer) > 4 * max(len(template), 200):
        llm._notice(message("llm.unusable", host=llm.host, reason="too long"))
        return None
    return answer


NAME_SYSTEM = (
    "You name themes found in customer reviews. Given a theme's keywords and a few quotes, answer with one short "
    "name of 2 to 5 words in English, then ' / ', then the same name in Simplified Chinese. Answer with the name only."
)


def name_prompt(keywords: list[str], quotes: list[str]) -> str:
    lines = [f"Keywords: {', '.join(map(str, keywords))}", "Quotes:"]
    lines += [f"- {str(q)[:300]}" for q in quotes[:3]]
    return "\n".join(lines)


def theme_names(llm: LLM | None, themes) -> dict[int, str]:
    """A short human name per theme (theme_id -> name) from the endpoint; themes a user renamed keep their name, and
    a theme whose answer is unusable is left out (its label shows)."""
    if llm is None or not llm.configured or themes is None or not len(themes):
        return {}
    names: dict[int, str] = {}
    for row in themes.itertuples():
        if bool(getattr(row, "renamed", False)):
            continue
        keywords = list(getattr(row, "keywords", None) or [])
        quotes = list(getattr(row, "quotes", None) or [])
        answer = llm.write("theme_name", name_prompt(keywords, quotes), system=NAME_SYSTEM, max_tokens=40)
        if answer is None:
            if not llm.may_send:
                break
            continue
        name = answer.strip().strip("\"'“”").splitlines()[0].strip() if answer.strip() else ""
        if 0 < len(name) <= 60:
            names[int(row.theme_id)] = name
    return names
