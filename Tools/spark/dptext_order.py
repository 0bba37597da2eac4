"""Input order and balance for the dptext Spark job, with one shuffle.

Spark's file scan packs file splits (a JSONL file's byte ranges, a Parquet
file's row groups) into partitions in no useful order, but every split is
read whole, in file order, inside one partition. So a record's place in the
input is (its split's place among all splits, its position in the split):

1. one pass (`split_sizes`) counts each split's records and bytes (and,
   with a key field, finds duplicated keys in the same pass: `count_and_keys`);
2. the driver sorts the splits by (file path, start) and gives each the input
   index and byte offset of its first record (`SplitBases`);
3. the final pass (`place`) numbers every record from its split's base and
   assigns it the partition that holds its share of the input's bytes, so
   one repartition-and-sort puts consecutive records, in order, into N
   partitions of about equal size (their processes finish together).

This replaces a global sort, a zipWithIndex, a count, a key check and a size
pass (three shuffles, seven jobs) with one small job (with a shuffle only for
the key check) and the shuffle that splits the input anyway. Shipped to executors (SparkContext.addPyFile): standard library only.
"""

import json

from dptext_task import DPTextFailed


def weight(item, field_index):
    """What balances partitions: a JSONL line's bytes, or a Parquet row's text."""
    return 1 + (len(item) if field_index < 0 else len(item[field_index] or ""))


def split_sizes(rows, field_index):
    """mapPartitions over (item, file, start) rows: [(file, start, records, bytes)] per split."""
    sizes = {}
    for item, path, start in rows:
        count, size = sizes.get((path, start), (0, 0))
        sizes[(path, start)] = (count + 1, size + weight(item, field_index))
    return [(path, start, count, size) for (path, start), (count, size) in sizes.items()]


class SplitBases:
    """The first input index and byte offset of every split, from split_sizes' rows."""

    def __init__(self, sizes):
        self.bases, index, offset = {}, 0, 0
        for path, start, count, size in sorted(sizes):
            self.bases[(path, start)] = (index, offset)
            index, offset = index + count, offset + size
        self.records, self.bytes = index, max(offset, 1)


def base(bases, path, start):
    """A split's (first index, byte offset); a split the counting pass never saw
    means the input changed under the job, which would break its order."""
    try:
        return bases[(path, start)]
    except KeyError:
        raise DPTextFailed(f"the input changed while the job ran ({path} from byte {start} was not there when "
                           "the job counted its records); run again on an input nobody is writing to", 66) from None


def place(rows, bases, partitions, total_bytes, field_index):
    """((partition, index), item) for every (item, file, start) row: partition p
    holds the records whose first byte falls in the p-th N-th of the input."""
    position, current, first, offset = 0, None, 0, 0
    for item, path, start in rows:
        if (path, start) != current:
            current, position = (path, start), 0
            first, offset = base(bases, path, start)
        yield (min(partitions - 1, offset * partitions // total_bytes), first + position), item
        position += 1
        offset += weight(item, field_index)


def typed_key(value):
    """A key as dptext compares it ("1" and 1 differ), or None when it is no
    valid key (missing, null, float, bool, ...): dptext reports those itself."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return ("i", value)
    if isinstance(value, str):
        return ("s", value)
    return None


def record_key(item, key_field, key_index):
    """The typed key of a Parquet row (key_index >= 0) or a JSONL line."""
    if key_index >= 0:
        return typed_key(item[key_index])
    try:
        record = json.loads(item)
    except ValueError:
        return None
    return typed_key(record.get(key_field)) if isinstance(record, dict) else None


def count_and_keys(rows, field_index, key_field, key_index):
    """mapPartitions for reduceByKey: (("split", file, start), (records, bytes))
    per split and (("key", kind, value), (1, place, None)) per keyed record,
    place being (file, start, position in split), which sorts in input order.
    Split entries never meet (a split is read by one partition); key entries
    merge with merge_keyed."""
    sizes, position, current = {}, 0, None
    for item, path, start in rows:
        if (path, start) != current:
            current, position = (path, start), 0
        count, size = sizes.get(current, (0, 0))
        sizes[current] = (count + 1, size + weight(item, field_index))
        key = record_key(item, key_field, key_index)
        if key is not None:
            yield ("key", *key), (1, (path, start, position), None)
        position += 1
    for (path, start), value in sizes.items():
        yield ("split", path, start), value


def merge_keyed(a, b):
    """(count, first place, second place) of two entries of one key."""
    first, second = sorted(i for i in (a[1], a[2], b[1], b[2]) if i is not None)[:2]
    return (a[0] + b[0], first, second)
