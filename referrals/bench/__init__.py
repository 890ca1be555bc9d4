"""`referrals bench`: build a synthetic registry, time searches against a plain-SQL floor.

`runner.run` drives the phases: `database` (a throwaway database), `build` (the registry),
`workload` (the searches), `timing` with `floor` (in-process latency), `http` (throughput
of the real app) and `report` (the table or the JSON object).
"""
