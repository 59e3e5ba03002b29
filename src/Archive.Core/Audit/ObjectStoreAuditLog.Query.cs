namespace Archive.Audit;

public sealed partial class ObjectStoreAuditLog
{
    /// <inheritdoc />
    /// <remarks>
    /// Reads records by sequence (one GET each), never the whole log: a time bound is found by binary search on the
    /// monotonic timestamps, and a page stops after <see cref="AuditOptions.MaxScanPerQuery"/> reads with a cursor.
    /// </remarks>
    public async ValueTask<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.PageSize is < 1 or > 1000)
        {
            throw new ArchiveValidationException("pageSize", "range", "The page size must be between 1 and 1000.");
        }

        if (query.Cursor is < 0)
        {
            throw new ArchiveValidationException("cursor", "range", "The cursor must not be negative.");
        }

        if (query.From is { } f && query.To is { } t && f >= t)
        {
            throw new ArchiveValidationException("to", "audit.range-empty", "'to' must be after 'from'.");
        }

        var tail = await GetTailSequenceAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<AuditRecord>(Math.Min(query.PageSize, 100));
        long scanned = 0;
        long step = query.NewestFirst ? -1 : 1;
        long sequence;
        if (query.NewestFirst)
        {
            sequence = query.Cursor is { } c ? Math.Min(c - 1, tail) : tail;
            if (query.Cursor is null && query.To is { } to)
            {
                // Last record stamped before 'to'.
                sequence = Math.Min(sequence, await FirstAtOrAfterAsync(to, tail, cancellationToken).ConfigureAwait(false) - 1);
            }
        }
        else
        {
            sequence = query.Cursor is { } c ? c + 1 : 1;
            if (query.Cursor is null && query.From is { } from)
            {
                sequence = Math.Max(sequence, await FirstAtOrAfterAsync(from, tail, cancellationToken).ConfigureAwait(false));
            }
        }

        long lastExamined = sequence - step;
        var exhausted = false;
        while (results.Count < query.PageSize)
        {
            if (sequence < 1 || sequence > tail)
            {
                exhausted = true;
                break;
            }

            if (scanned >= _options.MaxScanPerQuery)
            {
                break;
            }

            var record = await GetAsync(sequence, cancellationToken).ConfigureAwait(false);
            scanned++;
            lastExamined = sequence;
            sequence += step;
            if (record is null)
            {
                continue; // removed or damaged: verify reports it
            }

            // Past the time bound in the walking direction: nothing further can match.
            if ((!query.NewestFirst && query.To is { } upper && record.Timestamp >= upper)
                || (query.NewestFirst && query.From is { } lower && record.Timestamp < lower))
            {
                exhausted = true;
                break;
            }

            if (Matches(record, query))
            {
                results.Add(record);
            }
        }

        if (!exhausted && (sequence < 1 || sequence > tail))
        {
            exhausted = true;
        }

        return new AuditPage(results, exhausted ? null : lastExamined, scanned);
    }

    private static bool Matches(AuditRecord record, AuditQuery query)
    {
        var e = record.Event;
        return (query.From is null || record.Timestamp >= query.From)
            && (query.To is null || record.Timestamp < query.To)
            && (query.Actor is null || string.Equals(e.Actor, query.Actor, StringComparison.OrdinalIgnoreCase))
            && (query.ActorId is null || string.Equals(e.ActorId, query.ActorId, StringComparison.Ordinal))
            && (query.Action is null || string.Equals(e.Action, query.Action, StringComparison.Ordinal))
            && (query.ObjectType is null || string.Equals(e.ObjectType, query.ObjectType, StringComparison.Ordinal))
            && (query.ObjectId is null || string.Equals(e.ObjectId, query.ObjectId, StringComparison.Ordinal))
            && (query.Outcome is null || e.Outcome == query.Outcome);
    }

    /// <summary>The first sequence (1..tail+1) whose record is stamped at or after <paramref name="instant"/> (binary search).</summary>
    private async ValueTask<long> FirstAtOrAfterAsync(DateTimeOffset instant, long tail, CancellationToken cancellationToken)
    {
        long lo = 1;
        long hi = tail + 1;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var record = await NearestAsync(mid, hi, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                hi = mid; // nothing readable in [mid, hi): treat as past the instant
            }
            else if (record.Timestamp < instant)
            {
                lo = record.Sequence + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The first readable record at or after <paramref name="sequence"/> and before <paramref name="end"/> (skips a few damaged ones).</summary>
    private async ValueTask<AuditRecord?> NearestAsync(long sequence, long end, CancellationToken cancellationToken)
    {
        for (var s = sequence; s < end && s < sequence + 16; s++)
        {
            if (await GetAsync(s, cancellationToken).ConfigureAwait(false) is { } r && r.Sequence == s)
            {
                return r;
            }
        }

        return null;
    }
}
