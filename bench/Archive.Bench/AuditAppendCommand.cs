using System.Diagnostics;
using System.Globalization;
using Archive.Audit;
using Archive.Storage;
using Archive.Storage.FileSystem;

namespace Archive.Bench;

/// <summary>Audit appends per second and their latency: one durable put per record against group commit.</summary>
internal sealed class AuditAppendCommand : IBenchCommand
{
    public string Name => "audit-append";

    public string Description => "audit appends/s and p50/p99 per append on the file-system store: one put per record vs group commit, Fsync and GroupSync";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                audit-append [--seconds 3] [--concurrency 1,16] [--data DIR] [--keep]

                Appends audit events (a record-file read each) to ObjectStoreAuditLog over a FileSystemObjectStore in DIR
                for --seconds per cell from --concurrency callers in a closed loop, for each durability (Fsync, GroupSync)
                and each write mode:
                  one put per record   the store's batch capability hidden (a decorator overriding PutAsync), so every
                                       record is its own create-only durable put, one after the other (the cost per
                                       append before group commit)
                  group commit         IObjectBatchStore: a batch of queued records, one flush
                Prints appends/s, p50/p99 latency per append and records per batch; verifies each chain at the end.
                """);
            return 0;
        }

        var seconds = args.Int("seconds", 3);
        var concurrencies = (args.Optional("concurrency") ?? "1,16").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var (data, delete) = BenchEngine.DataFolder(args, "audit-append");
        var table = new Table("durability", "write mode", "callers", "appends", "appends/s", "p50 ms", "p99 ms", "records/flush", "chain");
        try
        {
            Console.WriteLine($"load {BenchEngine.LoadAverage()}");
            foreach (var durability in new[] { FileSystemDurability.Fsync, FileSystemDurability.GroupSync })
            {
                foreach (var grouped in new[] { false, true })
                {
                    foreach (var callers in concurrencies)
                    {
                        var root = Path.Combine(data, $"{durability}-{grouped}-{callers}");
                        using var store = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = root, Durability = durability });
                        var counting = new CountingStore(store, grouped);
                        using var log = new ObjectStoreAuditLog(counting, new AuditOptions());
                        await log.AppendAsync(Event(0), CancellationToken.None); // tail loaded, folders created
                        var latencies = new List<double>[callers];
                        var stop = Stopwatch.StartNew();
                        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
                        {
                            var mine = latencies[c] = [];
                            for (var n = 0; stop.Elapsed.TotalSeconds < seconds; n++)
                            {
                                var t = Stopwatch.GetTimestamp();
                                await log.AppendAsync(Event(n), CancellationToken.None);
                                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                            }
                        })));
                        var elapsed = stop.Elapsed.TotalSeconds;
                        var all = latencies.SelectMany(l => l).Order().ToArray();
                        var report = await log.VerifyAsync(CancellationToken.None);
                        table.Add(durability, grouped ? "group commit" : "one put per record", callers, all.Length, BenchEngine.F1(all.Length / elapsed),
                            BenchEngine.F1(all[all.Length / 2]), BenchEngine.F1(all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))]),
                            BenchEngine.F1(counting.Flushes == 0 ? 0 : (double)counting.Records / counting.Flushes), report.IsValid ? "verifies" : "BROKEN");
                    }
                }
            }

            BenchEngine.PrintHeading("audit-append", $"ObjectStoreAuditLog on FileSystemObjectStore, {seconds} s per cell, closed loop");
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }

    private static AuditEvent Event(int n) => new()
    {
        Action = AuditActions.RecordRead,
        Actor = "bench",
        ActorId = "api-key:bench",
        ObjectType = "record-file",
        ObjectId = "000.00.00.B01.2026.01." + (n % 200).ToString("D4", CultureInfo.InvariantCulture),
        Outcome = AuditOutcome.Success,
        ClientAddress = "127.0.0.1",
    };

    /// <summary>Counts record writes and durability flushes; hides the batch capability when not grouping.</summary>
    private sealed class CountingStore(FileSystemObjectStore inner, bool grouped) : DelegatingObjectStore(inner), IObjectBatchStore
    {
        public long Records;
        public long Flushes;

        public override async ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
        {
            var info = await base.PutAsync(key, content, options, cancellationToken);
            if (key.StartsWith(ObjectStoreAuditLog.RecordsPrefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref Records);
                Interlocked.Increment(ref Flushes);
            }

            return info;
        }

        public async ValueTask<int> CreateInOrderAsync(IReadOnlyList<ObjectBatchItem> items, CancellationToken cancellationToken = default)
        {
            var created = await inner.CreateInOrderAsync(items, cancellationToken);
            Interlocked.Add(ref Records, created);
            Interlocked.Increment(ref Flushes);
            return created;
        }

        public override object? GetService(Type serviceType, object? serviceKey = null)
            => serviceType == typeof(IObjectBatchStore) ? (grouped ? this : null) : base.GetService(serviceType, serviceKey);
    }
}
