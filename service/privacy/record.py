"""The record of processing (PDPA s.39), generated from the declarations in `models.processing`."""

from __future__ import annotations

import csv
import io

from models.processing import (
    ACTIVITIES,
    TABLES,
    ProcessingActivity,
    ProcessingColumn,
    RecordOfProcessing,
)

CONTROLLER = "OneStop social help center (the university's social help center)"
CSV_COLUMNS = (
    "activity",
    "purpose",
    "legal_basis",
    "data_subjects",
    "retention",
    "recipients",
    "security",
    "category",
    "stored_in",
)


def record_of_processing() -> RecordOfProcessing:
    """Every processing activity with the personal data it holds and where each is stored."""
    activities = []
    for name, activity in ACTIVITIES.items():
        columns = sorted(
            (
                ProcessingColumn(table=table, column=column, category=category)
                for table, declared in TABLES.items()
                if declared.activity == name
                for column, category in declared.personal.items()
            ),
            key=lambda c: (c.category, c.table, c.column),
        )
        activities.append(
            ProcessingActivity(
                name=name,
                purpose=activity.purpose,
                legal_basis=activity.legal_basis,
                data_subjects=activity.data_subjects,
                retention=activity.retention,
                recipients=activity.recipients,
                security=activity.security,
                categories=sorted({c.category for c in columns}),
                columns=columns,
            )
        )
    return RecordOfProcessing(controller=CONTROLLER, activities=activities)


def record_as_csv(record: RecordOfProcessing) -> str:
    """One row per activity and data category, with the columns that hold it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for activity in record.activities:
        for category in activity.categories:
            stored = " ".join(
                f"{c.table}.{c.column}" for c in activity.columns if c.category == category
            )
            writer.writerow(
                (
                    activity.name,
                    activity.purpose,
                    activity.legal_basis,
                    activity.data_subjects,
                    activity.retention,
                    activity.recipients,
                    activity.security,
                    category.value,
                    stored,
                )
            )
    return "\ufeff" + out.getvalue()
