using System.Diagnostics;
using System.Diagnostics.Metrics;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Records;
using Archive.Search;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Bench;

/// <summary>
/// The background projection of the write path (#23): the component limit (cores ÷ extraction + indexing CPU per
/// document, measured in the same run), an open-loop run at a fixed arrival rate with the time from acknowledgement to
/// searchable, and how busy the projection was (its throughput per busy second, i.e. when saturated).
/// </summary>
internal sealed partial class WritePathCommand
{
    /// <summary>Activity the engine's projector starts per batch.</summary>
    private const string ProjectionBatch = "archive.projection.batch";

    /// <summary>Extraction and indexing CPU per document (ms), and the component limit in documents/s.</summary>
    private sealed record Components(double ExtractMs, double IndexMs, int Cores)
    {
        public double Limit => Cores * 1000.0 / (ExtractMs + IndexMs);
    }

    /// <summary>The projector's batches seen while it listens: how long they ran and how many there were.</summary>
    private sealed class ProjectionBusy : IDisposable
    {
        private readonly ActivityListener _listener;
        private long _ticks;
        private int _batches;
        private long _files;
        private readonly MeterListener _meters;
        private long _fromWrite;
        private long _readBack;

        public ProjectionBusy()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == ArchiveDiagnostics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> o) => o.Name == ProjectionBatch ? ActivitySamplingResult.AllData : ActivitySamplingResult.None,
                ActivityStopped = a =>
                {
                    if (a.OperationName == ProjectionBatch)
                    {
                        Interlocked.Add(ref _ticks, a.Duration.Ticks);
                        Interlocked.Increment(ref _batches);
                        Interlocked.Add(ref _files, a.GetTagItem("archive.projection.record_files") is int n ? n : 0);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == ArchiveDiagnostics.MeterName && instrument.Name == "archive.projection.texts")
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "archive.projection.text_source")
                    {
                        Interlocked.Add(ref (tag.Value as string == "memory" ? ref _fromWrite : ref _readBack), value);
                    }
                }
            });
            _meters.Start();
        }

        /// <summary>Extracted texts the projection took from the write's hand-off, and read back from storage.</summary>
        public string Texts => $"{Interlocked.Read(ref _fromWrite)} / {Interlocked.Read(ref _readBack)}";

        public double Seconds => TimeSpan.FromTicks(Interlocked.Read(ref _ticks)).TotalSeconds;

        public int Batches => Volatile.Read(ref _batches);

        public long RecordFiles => Interlocked.Read(ref _files);

        public void Dispose()
        {
            _listener.Dispose();
            _meters.Dispose();
        }
    }

    /// <summary>What a run says about the projection: share of the wall time it was busy, and documents per busy second.</summary>
    private static (string Busy, string Capacity, string Batches, string Texts) Projection(ProjectionBusy busy, int docs, double wallSeconds)
        => (BenchEngine.Pct(busy.Seconds / wallSeconds), busy.Seconds > 0 ? BenchEngine.F1(docs / busy.Seconds) : "", $"{busy.Batches} ({(busy.Batches > 0 ? busy.RecordFiles / (double)busy.Batches : 0):0.0} files)", busy.Texts);

    /// <summary>
    /// Extraction CPU per document: the engine's PDF extractor over the same PDFs, from memory, one thread. Indexing CPU
    /// per document: the record files stored by <paramref name="engine"/> projected (texts read back, not timed) and
    /// written again to its index, <see cref="ArchiveProjectionOptions.BatchSize"/> record files per index commit.
    /// </summary>
    private static async Task<Components> MeasureComponentsAsync(BenchEngine engine, byte[][] pdfs, int samples)
    {
        var extractor = new PdfTextExtractor();
        for (var i = 0; i < Math.Min(10, pdfs.Length); i++)
        {
            using var warm = new MemoryStream(pdfs[i], writable: false);
            _ = await extractor.ExtractAsync(warm, new TextExtractionRequest { MediaType = PdfTextExtractor.PdfMediaType });
        }

        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < samples; i++)
        {
            using var ms = new MemoryStream(pdfs[i % pdfs.Length], writable: false);
            _ = await extractor.ExtractAsync(ms, new TextExtractionRequest { MediaType = PdfTextExtractor.PdfMediaType });
        }

        var extractMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / samples;

        var indexer = engine.Services.GetRequiredService<RecordIndexer>();
        var batchSize = engine.Services.GetRequiredService<IOptions<ArchiveOptions>>().Value.Projection.BatchSize;
        var batches = new List<List<SearchDocument>>();
        var chunk = new List<SearchDocument>();
        var files = 0;
        var documents = 0;
        await foreach (var f in engine.Files.ListAsync())
        {
            chunk.AddRange(await indexer.ProjectAsync(f));
            documents += f.Value.Documents.Count;
            if (++files % batchSize == 0)
            {
                batches.Add(chunk);
                chunk = [];
            }
        }

        if (chunk.Count > 0)
        {
            batches.Add(chunk);
        }

        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var b in batches)
        {
            await indexer.Index.IndexAsync(b);
        }

        var indexMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu1).TotalMilliseconds / Math.Max(1, documents);
        return new Components(extractMs, indexMs, Environment.ProcessorCount);
    }

    /// <summary>The result of an open-loop run.</summary>
    private sealed record RateRun(double Rate, int Docs, double AckRate, double SearchableRate, List<double> Latencies, List<double> Lags, double LagP95FirstHalf, double LagP95SecondHalf, double CpuMs, double MaxLateMs, (string Busy, string Capacity, string Batches, string Texts) Projection);

    /// <summary>
    /// Open loop: <paramref name="docs"/> documents arrive at <paramref name="rate"/> per second whatever the engine does
    /// (each filed by its own task at its arrival time), round-robin over <paramref name="lanes"/> open record files (a
    /// new one every <paramref name="perFile"/> documents, all created before the clock starts). Latency counts from
    /// the arrival time; lag from each acknowledgement until that version is searchable.
    /// </summary>
    private static async Task<RateRun> OpenLoopAsync(string path, int docs, double rate, int lanes, int perFile, byte[][] pdfs, bool extract, Archive.Storage.FileSystem.FileSystemDurability? durability)
    {
        await using var engine = BenchEngine.Open(path, extract, durability, Configure);
        await engine.SeedRegistriesAsync();
        await WarmUpAsync(engine, "upload", pdfs);

        var perLane = (docs + lanes - 1) / lanes;
        var filesPerLane = (perLane + perFile - 1) / perFile;
        var codes = new string[lanes * filesPerLane];
        for (var f = 0; f < codes.Length; f++)
        {
            codes[f] = (await engine.Files.CreateAsync(BenchEngine.FileInput(500_000 + f, new Random(f)), BenchEngine.User)).Stored.Value.FileCode;
        }

        _ = await engine.Files.WaitForProjectionAsync(RecordFileService.MaxProjectionWait);

        var latencies = new double[docs];
        var acks = new long[docs];
        var searchable = new long[docs];
        var tasks = new Task[docs];
        var maxLate = 0.0;
        using var busy = new ProjectionBusy();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < docs; i++)
        {
            var due = start + (long)(i * Stopwatch.Frequency / rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            maxLate = Math.Max(maxLate, Stopwatch.GetElapsedTime(due).TotalMilliseconds);
            var n = i;
            tasks[n] = Task.Run(async () =>
            {
                var lane = n % lanes;
                var k = n / lanes;
                var fileIndex = lane + (lanes * (k / perFile));
                var code = codes[fileIndex];
                var version = await FileOneAsync(engine, "upload", code, 500_000 + fileIndex, (k % perFile) + 1, pdfs[n % pdfs.Length], new Random(n));
                var acknowledged = Stopwatch.GetTimestamp();
                acks[n] = acknowledged;
                latencies[n] = Stopwatch.GetElapsedTime(due, acknowledged).TotalMilliseconds;
                var state = await engine.Files.WaitSearchableAsync(code, version, RecordFileService.MaxProjectionWait);
                searchable[n] = state.State == ProjectionState.Searchable ? Stopwatch.GetTimestamp() : long.MaxValue;
            });
        }

        await Task.WhenAll(tasks);
        var lastAck = acks.Max();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        var notSearchable = searchable.Count(s => s == long.MaxValue);
        if (notSearchable > 0)
        {
            Console.Error.WriteLine($"rate {rate:0.0}: {notSearchable} changes were not searchable within {RecordFileService.MaxProjectionWait.TotalSeconds} s");
        }

        var lastSearchable = searchable.Where(s => s != long.MaxValue).DefaultIfEmpty(lastAck).Max();
        var lags = Enumerable.Range(0, docs).Select(i => searchable[i] == long.MaxValue ? double.PositiveInfinity : Stopwatch.GetElapsedTime(acks[i], searchable[i]).TotalMilliseconds).ToArray();
        var wall = Stopwatch.GetElapsedTime(start, lastSearchable).TotalSeconds;
        var half = docs / 2;
        return new RateRun(
            rate,
            docs,
            docs / Stopwatch.GetElapsedTime(start, lastAck).TotalSeconds,
            docs / wall,
            latencies.Order().ToList(),
            lags.Order().ToList(),
            Quantile([.. lags.Take(half).Order()], 0.95),
            Quantile([.. lags.Skip(half).Order()], 0.95),
            cpu / docs,
            maxLate,
            Projection(busy, docs, wall));
    }

    /// <summary>The components on an engine of their own: 200 documents filed one by one into 4 record files, then measured.</summary>
    private static async Task<Components> ComponentsOnlyAsync(string path, byte[][] pdfs, Archive.Storage.FileSystem.FileSystemDurability? durability)
    {
        await using var engine = BenchEngine.Open(path, true, durability, Configure);
        await engine.SeedRegistriesAsync();
        for (var f = 0; f < 4; f++)
        {
            var rng = new Random(f);
            var code = (await engine.Files.CreateAsync(BenchEngine.FileInput(700_000 + f, rng), BenchEngine.User)).Stored.Value.FileCode;
            for (var d = 1; d <= 50; d++)
            {
                await FileOneAsync(engine, "upload", code, 700_000 + f, d, pdfs[d % pdfs.Length], rng);
            }
        }

        _ = await engine.Files.WaitForProjectionAsync(RecordFileService.MaxProjectionWait);
        return await MeasureComponentsAsync(engine, pdfs, 200);
    }

    /// <summary>
    /// The projection alone, saturated: an engine whose projector waits <see cref="ArchiveProjectionOptions.MaxDelay"/>
    /// = 10 s after the first change, so that <paramref name="docs"/> documents filed by <paramref name="clients"/>
    /// clients into 2 × <paramref name="clients"/> record files (about 6 s of writes at the closed-loop rate) are all
    /// acknowledged before it starts; then it projects the backlog with no writer running. Returns the documents
    /// projected per second of its batches, the batches and record files, or null when the writes outlasted the delay.
    /// </summary>
    private static async Task<(double DocsPerSecond, int Batches, long Files, double Seconds, string Texts)?> SaturatedAsync(string path, int docs, int clients, byte[][] pdfs, Archive.Storage.FileSystem.FileSystemDurability? durability)
    {
        await using var engine = BenchEngine.Open(path, true, durability, o =>
        {
            Configure?.Invoke(o);
            o.Projection.MaxDelay = TimeSpan.FromSeconds(10);
        });
        await engine.SeedRegistriesAsync();
        await WarmUpAsync(engine, "upload", pdfs);
        var codes = new string[2 * clients];
        for (var f = 0; f < codes.Length; f++)
        {
            codes[f] = (await engine.Files.CreateAsync(BenchEngine.FileInput(600_000 + f, new Random(f)), BenchEngine.User)).Stored.Value.FileCode;
        }

        _ = await engine.Files.WaitForProjectionAsync(RecordFileService.MaxProjectionWait);
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < docs)
            {
                var f = i % codes.Length;
                await FileOneAsync(engine, "upload", codes[f], 600_000 + f, (i / codes.Length) + 1, pdfs[i % pdfs.Length], new Random(i));
            }
        })));
        var written = sw.Elapsed;
        using var busy = new ProjectionBusy();
        if (written >= TimeSpan.FromSeconds(9.5))
        {
            Console.Error.WriteLine($"saturated projection: the writes took {written.TotalSeconds:0.0} s, longer than the projector's 10 s delay; not measured");
            return null;
        }

        _ = await engine.Files.WaitForProjectionAsync(RecordFileService.MaxProjectionWait);
        if (busy.Batches == 0)
        {
            return null;
        }

        Console.WriteLine($"saturated projection: {docs} documents written in {written.TotalSeconds:0.0} s, then projected in {busy.Batches} batches ({busy.RecordFiles} record files) in {busy.Seconds:0.00} s");
        return (docs / busy.Seconds, busy.Batches, busy.RecordFiles, busy.Seconds, busy.Texts);
    }

    private static double Quantile(List<double> sorted, double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1))];

    /// <summary>Warm-up (JIT, first index commits), not timed: record files beyond the measured range.</summary>
    private static async Task WarmUpAsync(BenchEngine engine, string mode, byte[][] pdfs)
    {
        for (var w = 0; w < 2; w++)
        {
            var rng = new Random(-1 - w);
            var code = (await engine.Files.CreateAsync(BenchEngine.FileInput(900_000 + w, rng), BenchEngine.User)).Stored.Value.FileCode;
            for (var d = 1; d <= 20; d++)
            {
                await FileOneAsync(engine, mode, code, 900_000 + w, d, pdfs[d % pdfs.Length], rng);
            }
        }

        _ = await engine.Files.WaitForProjectionAsync(RecordFileService.MaxProjectionWait);
    }
}
