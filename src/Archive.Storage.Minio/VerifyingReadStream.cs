using System.Globalization;
using System.Security.Cryptography;

namespace Archive.Storage.Minio;

/// <summary>
/// The stream a multipart upload reads its parts from: serves already-read bytes (<c>head</c>) followed by the rest of
/// the caller's stream, hashing everything. When the expected length is reached, or the source ends, it checks length
/// and SHA-256 and throws <see cref="ContentMismatchException"/> from the read, that is before the last part is sent
/// and long before the multipart upload is completed: content that does not match never becomes an object.
/// </summary>
internal sealed class VerifyingReadStream : Stream
{
    private readonly ReadOnlyMemory<byte> _head;
    private readonly Stream _tail;
    private readonly long? _expectedLength;
    private readonly string? _expectedSha256;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _headPosition;
    private long _total;
    private bool _finished;

    /// <param name="head">Bytes already read from the caller's stream.</param>
    /// <param name="tail">The rest (not disposed by this stream).</param>
    /// <param name="expectedLength">Exact total length, when known.</param>
    /// <param name="expectedSha256">Lower-case hex SHA-256 the whole content must have, when known.</param>
    public VerifyingReadStream(ReadOnlyMemory<byte> head, Stream tail, long? expectedLength, string? expectedSha256)
    {
        _head = head;
        _tail = tail;
        _expectedLength = expectedLength;
        _expectedSha256 = expectedSha256;
        if (expectedLength is { } l && head.Length > l)
        {
            throw new ContentMismatchException(true, Bytes(l), "more than " + Bytes(l));
        }
    }

    /// <summary>Total bytes served.</summary>
    public long BytesRead => _total;

    /// <summary>SHA-256 of everything served, once the end was reached.</summary>
    public string? Sha256 { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _expectedLength ?? throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _total;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _finished)
        {
            return 0;
        }

        var n = ReadHead(buffer);
        if (n == 0)
        {
            n = _tail.Read(Limit(buffer));
        }

        return Account(buffer[..n], n, () => ProbeEndSync());
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty || _finished)
        {
            return 0;
        }

        var n = ReadHead(buffer.Span);
        if (n == 0)
        {
            n = await _tail.ReadAsync(Limit(buffer), cancellationToken).ConfigureAwait(false);
        }

        if (n > 0 && _expectedLength is { } expected && _total + n == expected)
        {
            // Reached the announced length: make sure the source has nothing more before verifying.
            var extra = await ProbeEndAsync(cancellationToken).ConfigureAwait(false);
            return Account(buffer.Span[..n], n, () => extra);
        }

        return Account(buffer.Span[..n], n, () => 0);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int ReadHead(Span<byte> buffer)
    {
        var available = _head.Length - _headPosition;
        if (available <= 0)
        {
            return 0;
        }

        var n = Math.Min(available, buffer.Length);
        _head.Span.Slice(_headPosition, n).CopyTo(buffer);
        _headPosition += n;
        return n;
    }

    private Span<byte> Limit(Span<byte> buffer)
        => _expectedLength is { } l && l - _total < buffer.Length ? buffer[..(int)Math.Max(0, l - _total)] : buffer;

    private Memory<byte> Limit(Memory<byte> buffer)
        => _expectedLength is { } l && l - _total < buffer.Length ? buffer[..(int)Math.Max(0, l - _total)] : buffer;

    private int Account(ReadOnlySpan<byte> data, int n, Func<int> probeEnd)
    {
        if (n == 0)
        {
            Finish(0);
            return 0;
        }

        _hash.AppendData(data);
        _total += n;
        if (_expectedLength is { } expected && _total == expected)
        {
            Finish(probeEnd());
        }

        return n;
    }

    private int ProbeEndSync()
    {
        Span<byte> one = stackalloc byte[1];
        return _tail.Read(one);
    }

    private async ValueTask<int> ProbeEndAsync(CancellationToken cancellationToken)
    {
        var one = new byte[1];
        return await _tail.ReadAsync(one, cancellationToken).ConfigureAwait(false);
    }

    private void Finish(int extraBytes)
    {
        _finished = true;
        if (_expectedLength is { } expected && (_total != expected || extraBytes > 0))
        {
            throw new ContentMismatchException(true, Bytes(expected), extraBytes > 0 ? "more than " + Bytes(expected) : Bytes(_total));
        }

        Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (_expectedSha256 is not null && !string.Equals(Sha256, _expectedSha256, StringComparison.Ordinal))
        {
            throw new ContentMismatchException(false, _expectedSha256, Sha256);
        }
    }

    private static string Bytes(long n) => n.ToString(CultureInfo.InvariantCulture) + " bytes";

    /// <inheritdoc />
    public override void Flush()
    {
    }

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

/// <summary>The content did not match its expected length or SHA-256 (raised inside an upload, translated by the store).</summary>
internal sealed class ContentMismatchException : Exception
{
    public ContentMismatchException(bool isLength, string expected, string actual)
        : base($"content mismatch: expected {expected}, got {actual}")
    {
        IsLength = isLength;
        Expected = expected;
        Actual = actual;
    }

    public ContentMismatchException()
    {
        Expected = Actual = "";
    }

    public ContentMismatchException(string message) : base(message)
    {
        Expected = Actual = "";
    }

    public ContentMismatchException(string message, Exception innerException) : base(message, innerException)
    {
        Expected = Actual = "";
    }

    public bool IsLength { get; }

    public string Expected { get; }

    public string Actual { get; }
}
