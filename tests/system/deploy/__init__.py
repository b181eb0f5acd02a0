"""The deployment in deploy/, run on one machine: nginx, two replicas, PostgreSQL."""
