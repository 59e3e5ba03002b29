using System.Security.Cryptography;
using Archive.Packages;
using BenchmarkDotNet.Attributes;

namespace Archive.MicroBench;

/// <summary>
/// SHA-256 of content as the engine computes it while storing and reading (its hashing stream wrapped around the
/// content stream, read in 80 KiB buffers) against IncrementalHash fed the same buffers directly (the floor).
/// Content is in memory, so only the hashing and the stream layer are measured.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class HashingBenchmarks
{
    private const int BufferSize = 81920;
    private byte[] _content = [];
    private readonly byte[] _buffer = new byte[BufferSize];

    [Params(1, 16)]
    public int SizeMb { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _content = new byte[SizeMb * 1_000_000];
        new Random(1).NextBytes(_content);
    }

    [Benchmark(Baseline = true)]
    public byte[] IncrementalHashDirect()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var source = new MemoryStream(_content, writable: false);
        int n;
        while ((n = source.Read(_buffer)) > 0)
        {
            hash.AppendData(_buffer.AsSpan(0, n));
        }

        return hash.GetHashAndReset();
    }

    [Benchmark]
    public string EngineHashingStream()
    {
        using var stream = new HashingReadStream(new MemoryStream(_content, writable: false), ownsInner: true);
        while (stream.Read(_buffer) > 0)
        {
        }

        return stream.Sha256;
    }

    [Benchmark]
    public async Task<string> EngineHashingStreamAsync()
    {
        await using var stream = new HashingReadStream(new MemoryStream(_content, writable: false), ownsInner: true);
        while (await stream.ReadAsync(_buffer) > 0)
        {
        }

        return stream.Sha256;
    }
}
