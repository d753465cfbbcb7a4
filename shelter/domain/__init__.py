"""The rules and words of the case work, with no storage and no screens.

``vocabulary`` holds every closed list (codes and labels); ``people`` the
forms a resident's record is entered with and the rules on them (ages, names,
dates); ``beds`` which bed may take whom; ``changes`` the records a write
returns to say what it changed. Nothing here imports SQLAlchemy or Qt: a
test keeps it so.
"""
