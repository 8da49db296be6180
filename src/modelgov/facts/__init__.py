"""Facts: typed, frozen values computed once per model (or per repository) by the
engine's fact pass, and read by the rules.  Nothing in here runs git or reads a
config: the engine gathers what the facts are made of and hands it down.
"""
