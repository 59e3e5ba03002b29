using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Archive.Storage;
using Archive.Storage.Minio;
using Minio;
using Minio.DataModel.Args;

namespace Archive.Bench;

/// <summary>Put/get throughput of the S3 adapter against the raw Minio SDK on the same server.</summary>
internal sealed class S3ThroughputCommand : IBenchCommand
{
    public string Name => "s3-throughput";

    public string Description => "put/get MB/s of 1 MB and 100 MB objects through MinioObjectStore vs. the raw Minio SDK, with peak working set";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                s3-throughput [--endpoint HOST:PORT] [--access-key K] [--secret-key S] [--secure]
                              [--sizes 1MB,100MB] [--iterations 5] [--bucket NAME] [--adapter-only]

                Endpoint and keys default to ARCHIVE_S3_ENDPOINT, ARCHIVE_S3_ACCESS_KEY, ARCHIVE_S3_SECRET_KEY (and
                ARCHIVE_S3_SECURE) as written by scripts/s3-test-server.sh. A new bucket with object lock is made unless
                --bucket names an existing one. Content is a non-seekable stream repeating 1 MiB of random bytes (never
                held whole in memory). For each size and iteration, in turn (the puts start at a different one each iteration):
                  raw put            IMinioClient.PutObjectAsync with the size given
                  adapter put +sha   MinioObjectStore.PutAsync with ExpectedSha256 (one streaming pass)
                  adapter put        MinioObjectStore.PutAsync without digest (<5 MiB: in memory; larger non-seekable
                                     content is spooled to a temp file to learn its SHA-256 first)
                  raw get            IMinioClient.GetObjectAsync, callback copies to Stream.Null
                  adapter get        MinioObjectStore.GetAsync, stream copied to Stream.Null
                --adapter-only skips the raw SDK operations (no ratio): the peak working set of a process that has
                only used the adapter, without the garbage of the SDK's own uploads.
                MB/s is the median over iterations (MB = 10^6 bytes); ratio = adapter / raw; peak WS is the largest
                working set sampled every 5 ms during that operation; alloc is managed bytes allocated per operation.
                Objects are deleted between iterations (outside the timing).
                """);
            return 0;
        }

        var endpoint = args.Optional("endpoint") ?? Environment.GetEnvironmentVariable("ARCHIVE_S3_ENDPOINT");
        var accessKey = args.Optional("access-key") ?? Environment.GetEnvironmentVariable("ARCHIVE_S3_ACCESS_KEY");
        var secretKey = args.Optional("secret-key") ?? Environment.GetEnvironmentVariable("ARCHIVE_S3_SECRET_KEY");
        var secure = args.Has("secure") || string.Equals(Environment.GetEnvironmentVariable("ARCHIVE_S3_SECURE"), "true", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            Console.Error.WriteLine("no S3 server: pass --endpoint/--access-key/--secret-key or load the env file of scripts/s3-test-server.sh");
            return 2;
        }

        var sizes = (args.Optional("sizes") ?? "1MB,100MB").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseSize).ToList();
        var iterations = args.Int("iterations", 5);
        var adapterOnly = args.Has("adapter-only");
        var bucket = args.Optional("bucket") ?? "archive-bench-" + Guid.NewGuid().ToString("N")[..8];

        using var raw = new MinioClient().WithEndpoint(endpoint).WithCredentials(accessKey, secretKey).WithSSL(secure).Build();
        if (!await raw.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket)).ConfigureAwait(false))
        {
            await raw.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket).WithObjectLock()).ConfigureAwait(false);
        }

        using var store = new MinioObjectStore(new MinioStorageOptions { Endpoint = endpoint, AccessKey = accessKey, SecretKey = secretKey, Secure = secure, Bucket = bucket });
        await store.EnsureReadyAsync().ConfigureAwait(false);

        var pattern = new byte[1 << 20];
        new Random(20261125).NextBytes(pattern);

        // Warm-up: connections, JIT, the server's first writes.
        await RunOnceAsync(raw, store, bucket, pattern, 1 << 20, Sha(pattern, 1 << 20), "warmup", 0, adapterOnly).ConfigureAwait(false);

        var table = new Table("size", "operation", "MB/s (median)", "ratio vs raw", "peak WS MB", "alloc MB/op");
        foreach (var size in sizes)
        {
            var sha = Sha(pattern, size);
            var results = new Dictionary<string, List<Sample>>(StringComparer.Ordinal);
            for (var i = 0; i < iterations; i++)
            {
                foreach (var (op, sample) in await RunOnceAsync(raw, store, bucket, pattern, size, sha, $"{size}-{i}", i, adapterOnly).ConfigureAwait(false))
                {
                    (results.TryGetValue(op, out var list) ? list : results[op] = []).Add(sample);
                }
            }

            double Median(string op) => Percentile(results[op].Select(s => size / 1e6 / s.Seconds).ToList());
            foreach (var op in results.Keys)
            {
                var mbps = Median(op);
                var baseline = adapterOnly ? double.NaN : op.Contains("put", StringComparison.Ordinal) ? Median("raw put") : Median("raw get");
                table.Add(FormatSize(size), op, mbps.ToString("0.0", CultureInfo.InvariantCulture),
                    op.StartsWith("raw", StringComparison.Ordinal) || adapterOnly ? "" : (mbps / baseline).ToString("0.00", CultureInfo.InvariantCulture),
                    (results[op].Max(s => s.PeakWorkingSet) / 1e6).ToString("0", CultureInfo.InvariantCulture),
                    (results[op].Average(s => (double)s.Allocated) / 1e6).ToString("0.0", CultureInfo.InvariantCulture));
            }
        }

        Console.WriteLine($"s3-throughput: {endpoint}, bucket {bucket}, {iterations} iterations, {Table.Machine()}");
        Console.WriteLine(table);
        return 0;
    }

    private readonly record struct Sample(double Seconds, long PeakWorkingSet, long Allocated);

    private static async Task<List<(string Op, Sample Sample)>> RunOnceAsync(IMinioClient raw, MinioObjectStore store, string bucket, byte[] pattern, long size, string sha, string tag, int iteration, bool adapterOnly)
    {
        var results = new List<(string, Sample)>();
        var rawKey = $"raw/{tag}";
        var shaKey = $"adapter-sha/{tag}";
        var plainKey = $"adapter/{tag}";

        // Each iteration starts with a different operation: on this server the first put after the previous iteration's
        // deletes is markedly faster than the ones that follow, so a fixed order would favour whichever comes first.
        var puts = new List<(string Op, Func<Task> Run)>();
        puts.Add(("raw put", async () =>
        {
            using var s = new PatternStream(pattern, size);
            await raw.PutObjectAsync(new PutObjectArgs().WithBucket(bucket).WithObject(rawKey).WithStreamData(s).WithObjectSize(size)).ConfigureAwait(false);
        }));
        puts.Add(("adapter put +sha", async () =>
        {
            using var s = new PatternStream(pattern, size);
            await store.PutAsync(shaKey, s, new PutObjectOptions { ExpectedSha256 = sha, ExpectedLength = size }).ConfigureAwait(false);
        }));
        puts.Add(("adapter put", async () =>
        {
            using var s = new PatternStream(pattern, size);
            await store.PutAsync(plainKey, s).ConfigureAwait(false);
        }));
        if (adapterOnly)
        {
            puts.RemoveAt(0);
        }

        for (var k = 0; k < puts.Count; k++)
        {
            var (op, run) = puts[(k + iteration) % puts.Count];
            results.Add((op, await MeasureAsync(run).ConfigureAwait(false)));
        }

        if (!adapterOnly)
        {
            results.Add(("raw get", await MeasureAsync(async () =>
            {
                long read = 0;
                await raw.GetObjectAsync(new GetObjectArgs().WithBucket(bucket).WithObject(rawKey).WithCallbackStream(async (stream, ct) =>
                {
                    read = await CopyAsync(stream, ct).ConfigureAwait(false);
                })).ConfigureAwait(false);
                Check(read, size);
            }).ConfigureAwait(false)));
        }

        results.Add(("adapter get", await MeasureAsync(async () =>
        {
            var content = await store.GetAsync(shaKey).ConfigureAwait(false) ?? throw new InvalidOperationException("object missing");
            await using (content.ConfigureAwait(false))
            {
                Check(await CopyAsync(content.Stream, default).ConfigureAwait(false), size);
            }
        }).ConfigureAwait(false)));

        // Clean up outside the timing (deletes the versions, freeing the OSD's memory).
        if (!adapterOnly)
        {
            await raw.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(bucket).WithObject(rawKey)
                .WithVersionId((await raw.StatObjectAsync(new StatObjectArgs().WithBucket(bucket).WithObject(rawKey)).ConfigureAwait(false)).VersionId)).ConfigureAwait(false);
        }
        await store.DeleteAsync(shaKey).ConfigureAwait(false);
        await store.DeleteAsync(plainKey).ConfigureAwait(false);
        return results;
    }

    private static void Check(long read, long size)
    {
        if (read != size)
        {
            throw new InvalidOperationException($"read {read} bytes, expected {size}");
        }
    }

    private static async Task<long> CopyAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return total;
    }

    private static async Task<Sample> MeasureAsync(Func<Task> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long peak = process.WorkingSet64;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var p = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                p.Refresh();
                var ws = p.WorkingSet64;
                if (ws > Interlocked.Read(ref peak))
                {
                    Interlocked.Exchange(ref peak, ws);
                }

                try
                {
                    await Task.Delay(5, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await action().ConfigureAwait(false);
        watch.Stop();
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        await stop.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        return new Sample(watch.Elapsed.TotalSeconds, Interlocked.Read(ref peak), allocatedAfter - allocated);
    }

    private static string Sha(byte[] pattern, long size)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long done = 0; done < size;)
        {
            var n = (int)Math.Min(pattern.Length, size - done);
            hash.AppendData(pattern, 0, n);
            done += n;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static double Percentile(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static long ParseSize(string text)
    {
        var t = text.Trim().ToUpperInvariant();
        long factor = 1;
        foreach (var (suffix, f) in new[] { ("GB", 1_000_000_000L), ("MB", 1_000_000L), ("KB", 1_000L), ("B", 1L) })
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = f;
                t = t[..^suffix.Length];
                break;
            }
        }

        return (long)(double.Parse(t, CultureInfo.InvariantCulture) * factor);
    }

    private static string FormatSize(long size) => size >= 1_000_000 ? $"{size / 1e6:0.#} MB" : $"{size / 1e3:0.#} kB";

    /// <summary>A non-seekable stream repeating a pattern up to a length (content is never held whole).</summary>
    private sealed class PatternStream(byte[] pattern, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var total = 0;
            while (total < buffer.Length && _position < length)
            {
                var at = (int)(_position % pattern.Length);
                var n = (int)Math.Min(Math.Min(buffer.Length - total, pattern.Length - at), length - _position);
                pattern.AsSpan(at, n).CopyTo(buffer[total..]);
                total += n;
                _position += n;
            }

            return total;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
