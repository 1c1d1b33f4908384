"""The split and seed of a training-set pull, checked and said as the server's arguments (training_set, training_batches, export)."""

from .notebook_values import whole_number

SPLITS = ("TRAIN", "VALIDATION", "TEST")


def split_name(split):
    name = str(split).upper()
    if name not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)} or None for every row; received {split!r}")
    return name


def split_arguments(split, seed):
    """The arguments, variable declarations and variables of a training-set page for `split` and `seed` (checked)."""
    seed = split_seed(split, seed)
    if split is None:
        return "", "", {}
    return ", split: $split, splitSeed: $seed", ", $split: Split, $seed: String", {"split": split_name(split), "seed": seed}


def split_seed(split, seed):
    """The seed to send, the same text for training_set and export: None is the server's default, "stedi" (export
    sent the text "None", another split than training_set's), and a whole number its digits (training_set's
    variable refused 42 while export sent "42")."""
    if seed is None:
        seed = "stedi"
    elif whole_number(seed) is not None:
        seed = str(whole_number(seed))
    elif not isinstance(seed, str):
        raise ValueError(f"seed must be a string or a whole number; received {seed!r}")
    # The server refuses a seed without a split; here the default seed is always sent with a split and
    # never without, so another seed alone would silently give every row instead of a reshuffled split.
    if split is None and seed != "stedi":
        raise ValueError(f"seed only applies to a split: add split='TRAIN', 'VALIDATION' or 'TEST', or drop seed to get every row; received seed={seed!r}")
    return seed
