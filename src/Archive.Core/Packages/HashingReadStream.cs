using System.Security.Cryptography;

namespace Archive.Packages;

/// <summary>
/// Passes a stream through, hashing (SHA-256) and counting what is read. With an expected digest it becomes a
/// verifying reader: reaching the end of content that does not match throws <see cref="PackageCorruptException"/>,
/// so a reader can never silently consume damaged content.
/// </summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _ownsInner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly string? _expectedSha256;
    private readonly Func<string, Exception>? _onMismatch;
    private string? _sha256;

    public HashingReadStream(Stream inner, bool ownsInner, string? expectedSha256 = null, Func<string, Exception>? onMismatch = null)
    {
        _inner = inner;
        _ownsInner = ownsInner;
        _expectedSha256 = expectedSha256;
        _onMismatch = onMismatch;
    }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Lower-case hex SHA-256 of everything read; available once the end was reached.</summary>
    public string Sha256 => _sha256 ?? throw new InvalidOperationException("The stream was not read to its end.");

    public bool Completed => _sha256 is not null;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _inner.CanSeek ? _inner.Length : throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        return Account(buffer[..n]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            _hash.AppendData(data);
            BytesRead += data.Length;
            return data.Length;
        }

        if (_sha256 is null && (data.Length == 0))
        {
            _sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (_expectedSha256 is not null && _sha256 != _expectedSha256 && _onMismatch is not null)
            {
                throw _onMismatch(_sha256);
            }
        }

        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (_ownsInner)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        if (_ownsInner)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
