using System.Globalization;
using Archive.Audit;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Xunit;

namespace Archive.Core.Tests.Audit;

/// <summary>
/// Group commit of <see cref="ObjectStoreAuditLog.AppendAsync"/>: concurrent appends are stored in batches, every caller
/// gets its own durable record, the sequence stays dense and the chain verifies — also when a batch fails half-way,
/// when another process takes sequences in between, and over a store without <see cref="IObjectBatchStore"/>.
/// </summary>
public sealed class AuditGroupCommitTests : IDisposable
{
    private readonly AuditStoreFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    private static AuditEvent Event(int n) => new()
    {
        Action = AuditActions.RecordRead,
        Actor = "Nguyễn Văn An",
        ObjectType = "record-file",
        ObjectId = "H49.2024.01." + n.ToString(CultureInfo.InvariantCulture),
        Outcome = AuditOutcome.Success,
        Detail = "lần đọc " + n.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task<(int Caller, AuditRecord? Record, Exception? Error)[]> AppendInParallelAsync(Func<int, ObjectStoreAuditLog> log, int count, int first = 0)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(first, count).Select(n => Task.Run(async () =>
        {
            start.Wait(Ct);
            try
            {
                return (n, (AuditRecord?)await log(n).AppendAsync(Event(n), Ct), (Exception?)null);
            }
            catch (ArchiveStorageException ex)
            {
                return (n, null, ex);
            }
        })).ToArray();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    private static void AssertOwnRecords(IEnumerable<(int Caller, AuditRecord? Record, Exception? Error)> results)
    {
        foreach (var (caller, record, _) in results.Where(r => r.Record is not null))
        {
            Assert.Equal("lần đọc " + caller.ToString(CultureInfo.InvariantCulture), record!.Event.Detail);
        }
    }

    private async Task AssertStoredChainAsync(ObjectStoreAuditLog log, IEnumerable<AuditRecord> acknowledged, long expectedLast)
    {
        var report = await log.VerifyAsync(Ct);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(expectedLast, report.LastSequence);
        foreach (var record in acknowledged)
        {
            var stored = await log.GetAsync(record.Sequence, Ct);
            Assert.NotNull(stored);
            Assert.Equal(record.Hash, stored.Hash);
            Assert.Equal(record.Event.Detail, stored.Event.Detail);
        }
    }

    [Fact]
    public async Task Parallel_appends_are_stored_in_batches_each_caller_getting_its_own_durable_record()
    {
        var counting = new BatchCountingStore(_folder.Store);
        using var log = new ObjectStoreAuditLog(counting, new AuditOptions { CheckpointInterval = 50 });

        var results = await AppendInParallelAsync(_ => log, 200);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => r.Record!.Sequence).Order());
        AssertOwnRecords(results);
        await AssertStoredChainAsync(log, results.Select(r => r.Record!), 200);
        Assert.Equal(200, counting.Items);
        Assert.True(counting.Batches < 200, $"{counting.Batches} batches for 200 concurrent appends: nothing was grouped.");
        Assert.True(counting.LargestBatch > 1);
        Assert.NotNull(await _folder.Store.StatAsync(ObjectStoreAuditLog.CheckpointKey(200), Ct));
    }

    [Fact]
    public async Task A_batch_failing_half_way_acknowledges_only_what_it_stored_and_the_chain_continues()
    {
        var failing = new BatchCountingStore(_folder.Store) { FailAfter = 3 };
        using (var log = new ObjectStoreAuditLog(failing, new AuditOptions()))
        {
            // Warm up so that the next appends queue behind a running batch and form one of several events.
            await log.AppendAsync(Event(0), Ct);
            failing.FailNextBatch = true;
            var results = await AppendInParallelAsync(_ => log, 40, first: 1);
            AssertOwnRecords(results);
            var acknowledged = results.Where(r => r.Record is not null).Select(r => r.Record!).ToList();
            var failed = results.Count(r => r.Error is not null);
            Assert.True(failed > 0, "the injected failure reached no caller");

            // What callers were told is stored is stored; what failed was not acknowledged; no gap either way.
            var tail = await log.GetTailSequenceAsync(Ct);
            Assert.Equal(1 + acknowledged.Count + 3, tail);
            await AssertStoredChainAsync(log, acknowledged, tail);
        }

        // A restarted process (a crash after the failed batch) finds the tail and continues the chain.
        using var reopened = new ObjectStoreAuditLog(_folder.Store, new AuditOptions());
        var before = await reopened.GetTailSequenceAsync(Ct);
        var next = await reopened.AppendAsync(Event(99), Ct);
        Assert.Equal(before + 1, next.Sequence);
        Assert.Equal((await reopened.GetAsync(before, Ct))!.Hash, next.PreviousHash);
        await AssertStoredChainAsync(reopened, [next], before + 1);
    }

    [Fact]
    public async Task Two_processes_batching_on_one_store_give_one_dense_verifiable_chain()
    {
        // Two stores and two logs over one folder stand for two processes: only create-only keeps them apart, and a
        // batch stopped by a sequence the other took must be chained again onto the real tail.
        using var otherStore = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });
        using var a = new ObjectStoreAuditLog(_folder.Store, new AuditOptions { CheckpointInterval = 25 });
        using var b = new ObjectStoreAuditLog(otherStore, new AuditOptions { CheckpointInterval = 25 });

        var results = await AppendInParallelAsync(n => n % 2 == 0 ? a : b, 160);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(Enumerable.Range(1, 160).Select(i => (long)i), results.Select(r => r.Record!.Sequence).Order());
        AssertOwnRecords(results);
        await AssertStoredChainAsync(a, results.Select(r => r.Record!), 160);
    }

    [Fact]
    public async Task Without_a_batch_store_records_are_put_one_after_the_other_and_still_dense()
    {
        var puts = new PutCountingStore(_folder.Store);
        Assert.Null(puts.GetService<IObjectBatchStore>());
        using var log = new ObjectStoreAuditLog(puts, new AuditOptions());

        var results = await AppendInParallelAsync(_ => log, 50);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), results.Select(r => r.Record!.Sequence).Order());
        AssertOwnRecords(results);
        await AssertStoredChainAsync(log, results.Select(r => r.Record!), 50);
        Assert.Equal(50, puts.RecordPuts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_caller_is_answered_before_its_batch_is_stored_and_every_caller_of_a_failed_batch_sees_the_failure(bool fail)
    {
        var held = new HeldStore(_folder.Store);
        using var log = new ObjectStoreAuditLog(held, new AuditOptions());
        await log.AppendAsync(Event(0), Ct); // tail loaded, sequence 1 stored
        held.Hold();

        // Each caller checks, the moment it is answered, that its record is in storage.
        var callers = Enumerable.Range(1, 20).Select(n => Task.Run(async () =>
        {
            var record = await log.AppendAsync(Event(n), Ct);
            return (record, Stored: await _folder.Store.StatAsync(ObjectStoreAuditLog.RecordKey(record.Sequence), Ct) is not null);
        })).ToArray();
        await held.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await Task.Delay(300, Ct); // time for a wrongly early answer to arrive
        Assert.All(callers, c => Assert.False(c.IsCompleted, "a caller was answered while its batch was still being written"));

        held.Release(fail);
        if (fail)
        {
            foreach (var c in callers)
            {
                var error = await Assert.ThrowsAsync<ArchiveStorageException>(() => c);
                Assert.Contains("injected", error.Message, StringComparison.Ordinal);
            }

            Assert.Equal(1, await log.GetTailSequenceAsync(Ct)); // nothing of the failed batches was stored
            held.Stop();
            var next = await log.AppendAsync(Event(99), Ct);
            Assert.Equal(2, next.Sequence);
            await AssertStoredChainAsync(log, [next], 2);
        }
        else
        {
            var results = await Task.WhenAll(callers);
            Assert.All(results, r => Assert.True(r.Stored, $"record {r.record.Sequence} was acknowledged before it was stored"));
            Assert.Equal(Enumerable.Range(2, 20).Select(i => (long)i), results.Select(r => r.record.Sequence).Order());
            await AssertStoredChainAsync(log, results.Select(r => r.record), 21);
        }
    }

    /// <summary>Holds every batch until released; released, stores it or fails it (storing nothing).</summary>
    private sealed class HeldStore(FileSystemObjectStore inner) : DelegatingObjectStore(inner), IObjectBatchStore
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource<bool>? _release;

        public Task Entered => _entered.Task;

        public void Hold() => _release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release(bool fail) => _release!.SetResult(fail);

        public void Stop() => _release = null;

        public async ValueTask<int> CreateInOrderAsync(IReadOnlyList<ObjectBatchItem> items, CancellationToken cancellationToken = default)
        {
            if (_release is { } release)
            {
                _entered.TrySetResult();
                if (await release.Task)
                {
                    throw new ArchiveStorageException("filesystem", inner.RootPath, "put", items[0].Key, "injected failure of a whole batch");
                }
            }

            return await inner.CreateInOrderAsync(items, cancellationToken);
        }
    }

    /// <summary>Counts batches; can fail one batch after storing a prefix of it.</summary>
    private sealed class BatchCountingStore(FileSystemObjectStore inner) : DelegatingObjectStore(inner), IObjectBatchStore
    {
        private int _batches;
        private int _items;
        private int _largest;

        public int Batches => _batches;

        public int Items => _items;

        public int LargestBatch => _largest;

        public int FailAfter { get; init; }

        public bool FailNextBatch { get; set; }

        public async ValueTask<int> CreateInOrderAsync(IReadOnlyList<ObjectBatchItem> items, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _batches);
            _largest = Math.Max(_largest, items.Count);
            if (FailNextBatch && items.Count > FailAfter)
            {
                FailNextBatch = false;
                var stored = await inner.CreateInOrderAsync(items.Take(FailAfter).ToList(), cancellationToken);
                Interlocked.Add(ref _items, stored);
                throw new ArchiveStorageException("filesystem", inner.RootPath, "put", items[FailAfter].Key, "injected failure half-way through a batch");
            }

            var created = await inner.CreateInOrderAsync(items, cancellationToken);
            Interlocked.Add(ref _items, created);
            return created;
        }
    }

    /// <summary>Overrides the put, so the batch capability is not passed on (it would bypass the override).</summary>
    private sealed class PutCountingStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        private int _recordPuts;

        public int RecordPuts => _recordPuts;

        public override ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (key.StartsWith(ObjectStoreAuditLog.RecordsPrefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _recordPuts);
            }

            return base.PutAsync(key, content, options, cancellationToken);
        }
    }
}
