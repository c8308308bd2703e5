"""How a message leaves the platform: SMTP, or a local maildir when no server is set.

Both take a ready :class:`email.message.EmailMessage` (``build_message``): UTF-8 plain
text, the subject encoded by the standard library (RFC 2047), and a ``Message-ID``
derived from the notification id, so a copy resent after a crash (delivery is at least
once) carries the same id and mail clients show it once.

``smtplib`` is blocking: every call runs in a worker thread (``asyncio.to_thread``), one
at a time, over one connection kept open between messages and opened again when the
server has dropped it.
"""

from __future__ import annotations

import asyncio
import mailbox
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol

ERROR_MAX = 500


class SendError(Exception):
    """A message was not accepted. ``permanent``: the server refused it for good (a 5xx
    answer about the recipient or the content) and retrying the same message is useless;
    anything else (no connection, a 4xx answer, a refused login) is worth retrying."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message[:ERROR_MAX])
        self.permanent = permanent


class Transport(Protocol):
    name: str

    async def send(self, message: EmailMessage) -> None:
        """Hand the message over; raises :class:`SendError` when it was not accepted."""

    async def close(self) -> None: ...


def sender_address(sender: str) -> Address:
    """The ``From`` of every message, e.g. ``ЭО и ДОТ <noreply@school.example>``."""
    name, addr = parseaddr(sender)
    if "@" not in addr:
        raise ValueError(f"the sender address has no e-mail in it: {sender!r}")
    return Address(display_name=name, addr_spec=addr)


def recipient_address(display_name: str, email: str) -> Address | None:
    """The recipient as a ``To`` address, or None when the e-mail is not one."""
    email = email.strip()
    if email.count("@") != 1 or any(ch.isspace() or ch in "<>,;\"'" for ch in email):
        return None
    local, domain = email.split("@")
    if not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return None
    try:
        return Address(display_name=display_name, addr_spec=email)
    except (HeaderParseError, ValueError, IndexError):
        return None


def message_id(notification_id: uuid.UUID, sender: Address) -> str:
    """Stable per notification: a resent copy is the same message for mail clients."""
    return f"<notification.{notification_id}@{sender.domain or 'localhost'}>"


def build_message(
    *,
    notification_id: uuid.UUID,
    sender: Address,
    to: Address,
    subject: str,
    body: str,
    created_at: datetime,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id(notification_id, sender)
    # RFC 3834: an automatic message; well-behaved responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    # base64 keeps Cyrillic text 7-bit clean for servers without 8BITMIME
    message.set_content(body, charset="utf-8", cte="base64")
    return message


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0


def _describe(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text}".strip()


class SmtpTransport:
    name = "smtp"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._conn: smtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        try:
            conn.ehlo()
            if c.starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if c.username:
                conn.login(c.username, c.password or "")
        except BaseException:
            self._quietly_close(conn)
            raise
        return conn

    @staticmethod
    def _quietly_close(conn: smtplib.SMTP) -> None:
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def _drop(self) -> None:
        if self._conn is not None:
            self._quietly_close(self._conn)
            self._conn = None

    def _send_sync(self, message: EmailMessage) -> None:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self._connect()
            try:
                self._conn.send_message(message)
                return
            except smtplib.SMTPServerDisconnected:
                # a connection kept open between messages may have been closed by the
                # server meanwhile: one fresh connection, then it is a real failure
                self._conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_mapped(self, message: EmailMessage) -> None:
        try:
            self._send_sync(message)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            answers = list(exc.recipients.values())
            permanent = bool(answers) and all(code >= 500 for code, _ in answers)
            detail = "; ".join(
                f"{code} {text.decode('utf-8', 'replace')}".strip() for code, text in answers
            )
            raise SendError(
                f"Почтовый сервер отклонил адрес: {detail}", permanent=permanent
            ) from exc
        except smtplib.SMTPDataError as exc:
            self._drop()
            raise SendError(
                f"Почтовый сервер не принял письмо: {_describe(exc)}",
                permanent=exc.smtp_code >= 500,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            # refused login or sender: the server's configuration, retried later
            self._drop()
            raise SendError(f"Почтовый сервер ответил ошибкой: {_describe(exc)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise SendError(
                f"Почтовый сервер недоступен: {type(exc).__name__}: {exc}".rstrip(": ")
            ) from exc

    async def send(self, message: EmailMessage) -> None:
        async with self._lock:
            await asyncio.to_thread(self._send_mapped, message)

    async def close(self) -> None:
        async with self._lock:
            await asyncio.to_thread(self._drop)


class MaildirTransport:
    """Writes each message as a file of a local maildir (when no SMTP server is set):
    an operator or a test reads them with any mail client or ``mailbox.Maildir``."""

    name = "maildir"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _add(self, message: EmailMessage) -> None:
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self.path, create=False).add(message)

    async def send(self, message: EmailMessage) -> None:
        try:
            await asyncio.to_thread(self._add, message)
        except OSError as exc:
            raise SendError(f"Не удалось записать письмо в каталог: {exc}") from exc

    async def close(self) -> None:
        return None
