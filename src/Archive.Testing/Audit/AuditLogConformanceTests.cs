using Archive.Audit;
using Xunit;

namespace Archive.Testing.Audit;

/// <summary>
/// The contract of <see cref="IAuditLog"/> (and so of <see cref="IAuditTrail"/>), run against every implementation:
/// appends are numbered from 1 without gaps and hash-chained, nothing already written changes, verification detects
/// tampering, and queries filter by object, actor, action, outcome and time and page with a cursor.
/// </summary>
/// <remarks>
/// xunit creates one instance per test: <see cref="CreateLogAsync"/> runs once per test and must return an empty log
/// (e.g. over a fresh folder, or under a key prefix unique to the test). The tampering tests need to alter the log's
/// storage behind its back; a subclass whose storage refuses that (a write-once store) leaves
/// <see cref="TamperWithRecordAsync"/> and <see cref="RemoveRecordAsync"/> as they are, and those tests skip with the
/// reason.
/// </remarks>
public abstract class AuditLogConformanceTests : IAsyncLifetime
{
    private const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    private IAuditLog? _log;

    /// <summary>Creates the empty log under test.</summary>
    protected abstract ValueTask<IAuditLog> CreateLogAsync();

    /// <summary>Releases the log after a test; by default disposes it when it is disposable.</summary>
    protected virtual async ValueTask DisposeLogAsync(IAuditLog log)
    {
        switch (log)
        {
            case IAsyncDisposable a:
                await a.DisposeAsync();
                break;
            case IDisposable d:
                d.Dispose();
                break;
        }
    }

    /// <summary>
    /// Opens a second log over the same storage, as another process would; <see langword="null"/> (the default) when the
    /// implementation keeps its records in memory only (the test then skips).
    /// </summary>
    protected virtual ValueTask<IAuditLog?> ReopenAsync() => ValueTask.FromResult<IAuditLog?>(null);

    /// <summary>
    /// Changes the stored content of record <paramref name="sequence"/> behind the log's back (e.g. rewrites its actor),
    /// keeping it readable. Returns <see langword="false"/> (the default) when the storage refuses (write-once).
    /// </summary>
    protected virtual ValueTask<bool> TamperWithRecordAsync(long sequence) => ValueTask.FromResult(false);

    /// <summary>Deletes record <paramref name="sequence"/> behind the log's back; <see langword="false"/> (the default) when the storage refuses.</summary>
    protected virtual ValueTask<bool> RemoveRecordAsync(long sequence) => ValueTask.FromResult(false);

    /// <summary>The log under test (created before each test).</summary>
    protected IAuditLog Log => _log ?? throw new InvalidOperationException("The log is not created yet.");

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync() => _log = await CreateLogAsync();

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_log is not null)
        {
            await DisposeLogAsync(_log);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>An event of the fixture: <paramref name="i"/> picks its actor, object and outcome.</summary>
    protected static AuditEvent Event(int i) => new()
    {
        Action = i % 3 == 0 ? AuditActions.ContentRead : AuditActions.Change,
        Actor = i % 2 == 0 ? "Nguyễn Văn An" : "Trần Thị Bình",
        ActorAgencyId = "000.00.00.H49",
        ObjectType = "record-file",
        ObjectId = "H49.2024.01.VP-" + (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture),
        Outcome = i % 5 == 0 ? AuditOutcome.Denied : AuditOutcome.Success,
        Detail = "Lần " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ": hồ sơ lưu trữ",
        ClientAddress = "192.0.2.7",
    };

    /// <summary>Appends <see cref="Event"/> 1..<paramref name="count"/> in order.</summary>
    protected async Task<List<AuditRecord>> AppendAsync(int count, int first = 1)
    {
        var records = new List<AuditRecord>();
        for (var i = first; i < first + count; i++)
        {
            records.Add(await Log.AppendAsync(Event(i), Ct));
        }

        return records;
    }

    /// <summary>Every record matching <paramref name="query"/>, following the cursor page by page.</summary>
    protected async Task<List<AuditRecord>> QueryAllAsync(AuditQuery query)
    {
        var all = new List<AuditRecord>();
        var current = query;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, "The cursor never ends.");
            var page = await Log.QueryAsync(current, Ct);
            Assert.True(page.Records.Count <= current.PageSize, $"A page of {current.PageSize} returned {page.Records.Count} records.");
            all.AddRange(page.Records);
            if (page.NextCursor is null)
            {
                return all;
            }

            current = current with { Cursor = page.NextCursor };
        }
    }

    // ---------------------------------------------------------------- append

    /// <summary>Appends are numbered from 1 without gaps and each record chains the hash of the one before.</summary>
    [Fact]
    public async Task Appends_are_numbered_from_one_and_hash_chained()
    {
        var records = await AppendAsync(5);

        Assert.Equal([1L, 2, 3, 4, 5], records.Select(r => r.Sequence));
        Assert.Equal(Genesis, records[0].PreviousHash);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Matches("^[0-9a-f]{64}$", records[i].Hash);
            Assert.Equal(TimeSpan.Zero, records[i].Timestamp.Offset);
            if (i > 0)
            {
                Assert.Equal(records[i - 1].Hash, records[i].PreviousHash);
                Assert.True(records[i].Timestamp >= records[i - 1].Timestamp, "Timestamps must not go backwards.");
            }
        }

        Assert.Equal(records.Count, records.Select(r => r.Hash).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>The stored event reads back exactly as appended, Vietnamese text included.</summary>
    [Fact]
    public async Task Stored_events_read_back_unchanged()
    {
        var appended = await AppendAsync(4);
        var read = await QueryAllAsync(new AuditQuery());
        Assert.Equal(appended, read);
        Assert.Equal(Event(2), read[1].Event);
    }

    /// <summary>Appending more leaves every earlier record as it was (append-only).</summary>
    [Fact]
    public async Task Appending_more_leaves_earlier_records_unchanged()
    {
        var before = await AppendAsync(3);
        await AppendAsync(3, first: 4);
        var after = await QueryAllAsync(new AuditQuery());
        Assert.Equal(before, after.Take(3));
        Assert.Equal(6, after.Count);
    }

    /// <summary>Concurrent appends get distinct sequences without gaps, and the chain still verifies.</summary>
    [Fact]
    public async Task Concurrent_appends_get_distinct_sequences_without_gaps()
    {
        var records = await Task.WhenAll(Enumerable.Range(1, 16).Select(i => Log.AppendAsync(Event(i), Ct).AsTask()));
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), records.Select(r => r.Sequence).Order());
        var report = await Log.VerifyAsync(Ct);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(16, report.LastSequence);
    }

    /// <summary>A second instance over the same storage (another process) sees the records and continues the chain.</summary>
    [Fact]
    public async Task Another_instance_continues_the_same_chain()
    {
        var records = await AppendAsync(3);
        var other = await ReopenAsync();
        if (other is null)
        {
            Assert.Skip("The implementation under test keeps no storage that a second instance could open.");
        }

        try
        {
            var next = await other.AppendAsync(Event(4), Ct);
            Assert.Equal(4, next.Sequence);
            Assert.Equal(records[^1].Hash, next.PreviousHash);
            Assert.Equal(4, (await QueryAllAsync(new AuditQuery())).Count);
        }
        finally
        {
            await DisposeLogAsync(other);
        }
    }

    /// <summary>An event without action or actor is refused and nothing is appended.</summary>
    [Fact]
    public async Task An_event_without_action_or_actor_is_refused()
    {
        var refused = 0;
        foreach (var e in new[] { new AuditEvent { Action = "", Actor = "Nguyễn Văn An" }, new AuditEvent { Action = AuditActions.Change, Actor = " " } })
        {
            var error = await Record.ExceptionAsync(async () => await Log.AppendAsync(e, Ct));
            Assert.True(error is ArchiveValidationException or ArgumentException, $"Expected a validation error, got {error?.GetType().Name ?? "none"}.");
            refused++;
        }

        Assert.Equal(2, refused);
        Assert.Empty((await Log.QueryAsync(new AuditQuery(), Ct)).Records);
        Assert.Equal(1, (await Log.AppendAsync(Event(1), Ct)).Sequence);
    }

    // ---------------------------------------------------------------- verify

    /// <summary>An empty log and an intact log verify as valid, naming the last record.</summary>
    [Fact]
    public async Task Verify_passes_for_an_empty_and_an_intact_log()
    {
        var empty = await Log.VerifyAsync(Ct);
        Assert.True(empty.IsValid, string.Join("\n", empty.Problems));
        Assert.Equal(0, empty.RecordsChecked);

        var records = await AppendAsync(7);
        var report = await Log.VerifyAsync(Ct);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(7, report.RecordsChecked);
        Assert.Equal(7, report.LastSequence);
        Assert.Equal(records[^1].Hash, report.LastHash);
    }

    /// <summary>Verify reports an edited record at its sequence.</summary>
    [Fact]
    public async Task Verify_detects_an_edited_record()
    {
        await AppendAsync(5);
        if (!await TamperWithRecordAsync(3))
        {
            Assert.Skip("The storage under test refuses to alter a stored audit record (write-once).");
        }

        var report = await Log.VerifyAsync(Ct);
        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.Sequence == 3 && !p.IsWarning);
    }

    /// <summary>Verify reports a removed record as a gap.</summary>
    [Fact]
    public async Task Verify_detects_a_removed_record()
    {
        await AppendAsync(5);
        if (!await RemoveRecordAsync(2))
        {
            Assert.Skip("The storage under test refuses to delete a stored audit record (write-once).");
        }

        var report = await Log.VerifyAsync(Ct);
        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.Sequence == 2 && p.Kind == AuditProblemKind.Removed);
    }

    /// <summary>A checkpoint pins the tail; an empty log has none; an unsigned checkpoint is only a warning.</summary>
    [Fact]
    public async Task Checkpoint_pins_the_tail()
    {
        Assert.Null(await Log.CheckpointAsync(Ct));
        var records = await AppendAsync(3);
        var checkpoint = await Log.CheckpointAsync(Ct);
        Assert.NotNull(checkpoint);
        Assert.Equal(3, checkpoint.Sequence);
        Assert.Equal(records[^1].Hash, checkpoint.Hash);

        var report = await Log.VerifyAsync(Ct);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.True(report.CheckpointsChecked >= 1);
    }

    // ---------------------------------------------------------------- query

    /// <summary>Filters by object, actor (case-insensitive), action and outcome combine with AND.</summary>
    [Fact]
    public async Task Query_filters_by_object_actor_action_and_outcome()
    {
        var all = await AppendAsync(12);

        var byObject = await QueryAllAsync(new AuditQuery { ObjectType = "record-file", ObjectId = "H49.2024.01.VP-1" });
        Assert.Equal(all.Where(r => r.Event.ObjectId == "H49.2024.01.VP-1"), byObject);

        var byActor = await QueryAllAsync(new AuditQuery { Actor = "nguyễn văn an" });
        Assert.Equal(all.Where(r => r.Event.Actor == "Nguyễn Văn An"), byActor);

        var byAction = await QueryAllAsync(new AuditQuery { Action = AuditActions.ContentRead, Actor = "Trần Thị Bình" });
        Assert.Equal(all.Where(r => r.Event.Action == AuditActions.ContentRead && r.Event.Actor == "Trần Thị Bình"), byAction);

        var denied = await QueryAllAsync(new AuditQuery { Outcome = AuditOutcome.Denied });
        Assert.Equal(all.Where(r => r.Event.Outcome == AuditOutcome.Denied), denied);

        Assert.Empty(await QueryAllAsync(new AuditQuery { ObjectId = "không có" }));
    }

    /// <summary>A time range includes its start and excludes its end.</summary>
    [Fact]
    public async Task Query_by_time_includes_the_start_and_excludes_the_end()
    {
        var all = new List<AuditRecord>();
        for (var group = 0; group < 3; group++)
        {
            all.AddRange(await AppendAsync(3, first: (group * 3) + 1));
            await Task.Delay(30, Ct);
        }

        var from = all[3].Timestamp;
        var to = all[6].Timestamp;
        Assert.True(from < to, "The fixture needs distinct timestamps between its groups.");
        var expected = all.Where(r => r.Timestamp >= from && r.Timestamp < to).ToList();

        Assert.Equal(expected, await QueryAllAsync(new AuditQuery { From = from, To = to, PageSize = 2 }));
        Assert.Equal(Enumerable.Reverse(expected), await QueryAllAsync(new AuditQuery { From = from, To = to, PageSize = 2, NewestFirst = true }));
        Assert.Equal(all.Where(r => r.Timestamp >= to), await QueryAllAsync(new AuditQuery { From = to }));
    }

    /// <summary>Pages follow the cursor in both directions and together return every record exactly once.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public async Task Pages_follow_the_cursor_in_both_directions(int pageSize)
    {
        var all = await AppendAsync(7);
        Assert.Equal(all, await QueryAllAsync(new AuditQuery { PageSize = pageSize }));
        Assert.Equal(Enumerable.Reverse(all), await QueryAllAsync(new AuditQuery { PageSize = pageSize, NewestFirst = true }));

        var first = await Log.QueryAsync(new AuditQuery { PageSize = 2 }, Ct);
        Assert.Equal([1L, 2], first.Records.Select(r => r.Sequence));
        Assert.NotNull(first.NextCursor);
    }

    /// <summary>A page size outside 1..1000 is refused.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task Page_size_out_of_range_is_refused(int pageSize)
        => await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Log.QueryAsync(new AuditQuery { PageSize = pageSize }, Ct));
}
