using System.Security.Cryptography;

namespace Archive.Testing.Storage;

/// <summary>
/// A forward-only, non-seekable stream of deterministic pseudo-random bytes that never holds more than one
/// buffer in memory and hashes what was read, so tests can stream large content without buffering it.
/// </summary>
public sealed class GeneratedStream : Stream
{
    private readonly long _length;
    private readonly bool _reportLength;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong _state;
    private long _position;
    private string? _sha256;

    /// <summary>Creates the stream.</summary>
    /// <param name="length">Bytes to produce.</param>
    /// <param name="seed">Different seeds give different content.</param>
    /// <param name="reportLength">When false (the default) <see cref="Length"/> throws like a network stream.</param>
    public GeneratedStream(long length, int seed, bool reportLength = false)
    {
        _length = length;
        _reportLength = reportLength;
        _state = 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed * 0xBF58476D1CE4E5B9UL;
        if (_state == 0)
        {
            _state = 1;
        }
    }

    /// <summary>Lower-case hex SHA-256 of all bytes produced; only once the stream was read to its end.</summary>
    public string Sha256 => _sha256 ?? throw new InvalidOperationException("The stream was not read to its end.");

    /// <summary>Bytes handed out so far.</summary>
    public long BytesRead => _position;

    /// <summary>Computes the SHA-256 of the content a stream with these parameters produces (by generating it).</summary>
    public static string ComputeSha256(long length, int seed)
    {
        using var s = new GeneratedStream(length, seed);
        s.CopyTo(Null, 81920);
        return s.Sha256;
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _reportLength ? _length : throw new NotSupportedException("Length is unknown.");

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, _length - _position);
        if (n <= 0)
        {
            Finish();
            return 0;
        }

        var span = buffer[..n];
        for (var i = 0; i < span.Length; i++)
        {
            // xorshift64*: cheap and deterministic
            if ((_position + i & 7) == 0)
            {
                _state ^= _state >> 12;
                _state ^= _state << 25;
                _state ^= _state >> 27;
            }

            span[i] = (byte)(_state * 0x2545F4914F6CDD1DUL >> (int)((_position + i & 7) * 8));
        }

        _hash.AppendData(span);
        _position += n;
        if (_position == _length)
        {
            Finish();
        }

        return n;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Finish() => _sha256 ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Wraps bytes as a non-seekable stream of unknown length (like a network body).</summary>
public sealed class NonSeekableStream(Stream inner) : Stream
{
    /// <summary>Wraps a byte array.</summary>
    public NonSeekableStream(byte[] bytes) : this(new MemoryStream(bytes, writable: false)) { }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A non-seekable stream that fails with <see cref="IOException"/> after a number of bytes (a dropped upload).</summary>
public sealed class FailingStream(long failAfter) : Stream
{
    private long _position;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (_position >= failAfter)
        {
            throw new IOException("The connection was reset (simulated).");
        }

        var n = (int)Math.Min(buffer.Length, failAfter - _position);
        buffer[..n].Fill(0x5A);
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Small helpers for tests.</summary>
public static class StreamAssert
{
    /// <summary>Lower-case hex SHA-256 of bytes.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Hashes a stream to its end without buffering it; returns (sha256, length).</summary>
    public static async Task<(string Sha256, long Length)> HashAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total);
    }

    /// <summary>Reads a (small) stream fully.</summary>
    public static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms, cancellationToken);
        return ms.ToArray();
    }
}
