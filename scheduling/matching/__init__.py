"""Project-counsel matching (issue 4) and the generalised assignment problem it grows from.

Province matching (plain id-keyed dataclasses in, plain dataclasses out):
    problem.py   projects, lawyers, cities, weights; the answer (MatchResult, Counsel, Change)
    model.py     hard rules (one named function each), cost terms, candidate pruning, the CP-SAT model
    solve.py     match(): greedy baseline, proven bound, priced start, annealing (or CP-SAT when small)
    bound.py     the Lagrangian bound valid for the unpruned problem (compiled subgradient ascent)
    arrays.py    the problem as numpy arrays;  anneal.py  compiled shift / swap / chain annealing
    cpsat.py     CP-SAT on the whole pruned model (small instances);  polish.py  its shift / swap start polish
    explain.py   why a project cannot be matched, in plain words
    rematch.py   re-match after a change, keeping what need not change, listing the changes
    evaluate.py  cost breakdown and rule check of a finished matching
    jsonio.py    the JSON problem format (FORMAT.md);  demo.py  the synthetic province instance

Generalised assignment (the text benchmark formats):
    gap.py       GapProblem and the OR-Library / single-problem readers
    gap_bounds.py LP relaxation by column generation: bound, reduced costs, LP-rounded start
    gap_solve.py solve_gap(): regret start, threaded CP-SAT LNS, whole-model CP-SAT

cli.py registers ``python -m scheduling assign``.
"""
