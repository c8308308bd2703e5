"""The periodic task that finishes quiz attempts past their time limit (LE-8).

Without it an expired attempt would wait for its student, a guardian or a teacher to
look at it before it is graded; the journal would then learn of the mark
(``test_attempt.graded``) only by chance. Every ``LEARNING_QUIZ_FINISH_INTERVAL_SECONDS``
the task finishes the expired attempts of every school with the answers saved in time
(in batches; rows locked as :func:`~services.learning.quizzes.finishing.Grader.
finish_expired` does, so a concurrent request never finishes one twice).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from services.common.db import utcnow
from services.common.periodic import start_periodic, stop_periodic
from services.learning.quizzes.clock import Clock
from services.learning.quizzes.finishing import finish_expired_attempts

logger = logging.getLogger("eo.learning.quizzes")

BATCH = 500
# Batches per round at most; what is left waits for the next round.
MAX_BATCHES = 20


async def sweep(app: FastAPI) -> int:
    """One round: finish what has expired by now (several batches if needed)."""
    clock: Clock = getattr(app.state, "clock", None) or utcnow
    total = 0
    for _ in range(MAX_BATCHES):
        async with app.state.database.session() as session:  # commits on success
            count = await finish_expired_attempts(session, clock(), BATCH)
        total += count
        if count < BATCH:
            break
    return total


async def start_quiz_finisher(app: FastAPI) -> None:
    """on_startup hook: finish expired attempts every few seconds."""
    interval = float(app.state.settings.quiz_finish_interval)
    start_periodic(app, "quiz_finisher", interval, sweep, logger, "expired quiz attempts finished")


async def stop_quiz_finisher(app: FastAPI) -> None:
    """on_shutdown hook."""
    await stop_periodic(app, "quiz_finisher")
