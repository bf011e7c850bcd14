"""The stance board: who backs, refuses and hesitates about one mission, since when, on what evidence."""
