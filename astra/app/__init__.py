"""The composition root: builds the journal, the actor engine, metrics, control and logging
from Settings, and runs them live (`paper_runner`) or over a recording (`replay_runner`)."""
