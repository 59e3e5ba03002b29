namespace Archive.Storage;

/// <summary>What a store knows about one stored object.</summary>
public sealed record ObjectInfo
{
    /// <summary>The normalised key.</summary>
    public required string Key { get; init; }

    /// <summary>Size in bytes.</summary>
    public required long Length { get; init; }

    /// <summary>
    /// Lower-case hex SHA-256 of the content, as computed by the store at write time; <see langword="null"/> for
    /// objects written by someone else that carry no recorded digest.
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>When the object was last written.</summary>
    public required DateTimeOffset LastModified { get; init; }

    /// <summary>An opaque entity tag that changes whenever the content changes.</summary>
    public required string ETag { get; init; }

    /// <summary>Media type given at write time, if any.</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata given at write time (values may contain any Unicode text).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>(0);
}

/// <summary>Options of <see cref="IObjectStore.PutAsync"/>.</summary>
public sealed record PutObjectOptions
{
    /// <summary>When set, the content is hashed while written and rejected unless it matches (hex, any case).</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>When set, the write is refused when fewer or more bytes arrive.</summary>
    public long? ExpectedLength { get; init; }

    /// <summary>Media type to record.</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata to record. Keys: ASCII letters, digits and '-'; values: any Unicode text.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Create only: fail with <see cref="ObjectAlreadyExistsException"/> when the key exists. Atomic where
    /// <see cref="ObjectStoreCapabilities.AtomicCreateOnly"/> is reported, best effort otherwise.
    /// </summary>
    public bool CreateOnly { get; init; }

    /// <summary>Write-once retention to apply together with the write (needs <see cref="IObjectRetentionStore"/>).</summary>
    public ObjectRetention? Retention { get; init; }
}

/// <summary>An open object: its description and its content stream. Dispose it to release the stream.</summary>
public sealed class ObjectContent : IAsyncDisposable, IDisposable
{
    /// <summary>Wraps an open stream.</summary>
    public ObjectContent(ObjectInfo info, Stream stream, ByteRange? range)
    {
        Info = info ?? throw new ArgumentNullException(nameof(info));
        Stream = stream ?? throw new ArgumentNullException(nameof(stream));
        Range = range;
    }

    /// <summary>The whole object's description (length is the whole object's length).</summary>
    public ObjectInfo Info { get; }

    /// <summary>The content, positioned at the start of the requested range.</summary>
    public Stream Stream { get; }

    /// <summary>The range served, resolved against the object length; <see langword="null"/> for the whole object.</summary>
    public ByteRange? Range { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Stream.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => Stream.Dispose();
}

/// <summary>A byte range: <paramref name="Offset"/> and an optional <paramref name="Length"/> (to the end when null).</summary>
public readonly record struct ByteRange(long Offset, long? Length = null)
{
    /// <summary>Resolves the range against an object of <paramref name="objectLength"/> bytes (clamping the length).</summary>
    /// <exception cref="ArchiveValidationException">Offset negative, length negative, or offset past the end.</exception>
    public ByteRange Resolve(long objectLength)
    {
        if (Offset < 0)
        {
            throw new ArchiveValidationException("range", "range.offset-negative", "The range offset must not be negative.");
        }

        if (Length is < 0)
        {
            throw new ArchiveValidationException("range", "range.length-negative", "The range length must not be negative.");
        }

        if (Offset > objectLength || (Offset == objectLength && objectLength > 0))
        {
            throw new ArchiveValidationException("range", "range.not-satisfiable", $"The range starts at {Offset} but the object has {objectLength} bytes.");
        }

        var available = objectLength - Offset;
        return new ByteRange(Offset, Length is { } l ? Math.Min(l, available) : available);
    }
}

/// <summary>Options of <see cref="IObjectStore.ListPageAsync"/>.</summary>
public sealed record ObjectListOptions
{
    /// <summary>Token from the previous page; null for the first page.</summary>
    public string? ContinuationToken { get; init; }

    /// <summary>Most entries (objects plus common prefixes) per page, 1..1000.</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Group deeper keys into common prefixes at the next '/' (one "folder" level).</summary>
    public bool Delimited { get; init; }
}

/// <summary>One page of a listing.</summary>
/// <param name="Items">Objects in ordinal key order.</param>
/// <param name="CommonPrefixes">With a delimited listing: the next-level prefixes (each ending in '/'), ordinal order.</param>
/// <param name="ContinuationToken">Token for the next page; <see langword="null"/> on the last page.</param>
public sealed record ObjectListPage(IReadOnlyList<ObjectInfo> Items, IReadOnlyList<string> CommonPrefixes, string? ContinuationToken);

/// <summary>What a store can guarantee beyond the core contract.</summary>
[Flags]
public enum ObjectStoreCapabilities
{
    /// <summary>Nothing beyond the contract.</summary>
    None = 0,

    /// <summary><see cref="PutObjectOptions.CreateOnly"/> is atomic against concurrent writers.</summary>
    AtomicCreateOnly = 1,

    /// <summary>Ranged reads are served by the backend without reading the skipped bytes.</summary>
    NativeRangedRead = 2,
}
