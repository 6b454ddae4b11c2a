"""Airflow DAG: one incremental ``akhbar ingest --feeds`` every 15 minutes.

- Runner: chosen per deployment (param ``runner``: FnApiRunner on the Airflow worker, ``dask``
  on a Dask cluster, DataflowRunner, FlinkRunner); extra Beam flags in ``runner_args``.
- Never two runs on one output folder: ``max_active_runs=1`` for this DAG, and the task takes
  the one slot of the pool ``akhbar_output`` (create it with 1 slot: ``airflow pools set
  akhbar_output 1 "akhbar output folder"``), which every other DAG writing to the same folder
  must use too. Object-store outputs have no lock file (transforms/lock.py), so this is what
  keeps runs apart there; local outputs are locked as well (akhbar exits 3 while another
  run holds the folder).
- Retries: 2, five minutes apart, for transient failures (a cluster restarting, storage
  errors). A failed run leaves either nothing or a pending manifest that the next run rolls
  forward, so a retry is safe.
- SLA: a run must finish within 20 minutes of being queued. Airflow >= 3.1 expresses this as a
  Deadline Alert (SLAs were removed in Airflow 3); on Airflow 2 the task's ``sla`` is used.

Checked here by tests/deploy (the file compiles; its command line is accepted by akhbar's real
argument parser); Airflow itself was not run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG, Param
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.models.param import Param
    from airflow.operators.bash import BashOperator

SLA = timedelta(minutes=20)
OUTPUT_POOL = "akhbar_output"

# One line, so that tests/deploy can check it with `akhbar ingest --dry-run`.
AKHBAR_COMMAND = (
    "akhbar ingest --feeds {{ params.feeds }} --output {{ params.output }} "
    "--runner={{ params.runner }} {{ params.runner_args }} "
    "--run-id {{ ts_nodash }} --state-horizon-days 30 --lock-wait 0"
)


async def deadline_missed(**context: object) -> None:
    """Called by the triggerer when a run is still not done 20 minutes after it was queued."""
    import logging

    logging.getLogger("akhbar").error("akhbar ingest missed its 20-minute deadline: %s", context)


def sla_arguments() -> tuple[dict[str, object], dict[str, object]]:
    """(DAG keyword arguments, default_args) expressing the SLA on this Airflow version."""
    try:
        from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference
    except ImportError:  # Airflow < 3.1: task-level SLA
        return {}, {"sla": SLA}
    alert = DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=SLA,
        callback=AsyncCallback(deadline_missed),
    )
    return {"deadline": alert}, {}


dag_sla, task_sla = sla_arguments()

with DAG(
    dag_id="akhbar_ingest_feeds",
    description="Incremental akhbar ingest of the feed list every 15 minutes",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=45),
    default_args={
        "owner": "akhbar",
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "execution_timeout": timedelta(minutes=40),
        **task_sla,
    },
    params={
        "runner": Param(
            "FnApiRunner",
            enum=["FnApiRunner", "dask", "DataflowRunner", "FlinkRunner"],
            description="Beam runner; see deploy/ for each one's extra flags",
        ),
        "runner_args": Param(
            "--direct_num_workers=1",
            type="string",
            description="extra Beam flags, e.g. --dask_client_address=tcp://scheduler:8786",
        ),
        "output": Param("s3://news-bucket/akhbar", type="string"),
        "feeds": Param("/opt/akhbar/seeds/feeds.yaml", type="string"),
    },
    tags=["akhbar"],
    **dag_sla,
) as dag:
    BashOperator(
        task_id="akhbar_ingest",
        bash_command=AKHBAR_COMMAND,
        pool=OUTPUT_POOL,
        pool_slots=1,
    )
