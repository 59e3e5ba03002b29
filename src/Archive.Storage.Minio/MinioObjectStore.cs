using System.Globalization;
using global::Minio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using global::Minio.DataModel.ObjectLock;

namespace Archive.Storage.Minio;

/// <summary>
/// <see cref="IObjectStore"/> on an S3 bucket with S3 Object Lock (MinIO, Ceph RADOS Gateway, AWS), with the
/// Minio .NET SDK 7.0.0 for bucket, delete, retention and legal-hold calls.
/// </summary>
/// <remarks>
/// <para><b>Writes</b> are sent by this package (<see cref="S3DirectClient"/>, SigV4 in header form with the payload
/// digest signed), not by the SDK, which copies every body and hashes it a second time for its own signature.
/// Content below 5 MiB is read into memory, hashed and verified, then sent in one PUT carrying the SHA-256
/// (<c>x-amz-meta-archive-sha256</c>) and the retention, signed with that same digest so that the server refuses a
/// body that does not match it. Larger content is a multipart upload: parts of 8 MiB (more when 10 000 parts would not
/// hold a known length) are read into pooled buffers, each signed with its own SHA-256 and sent two at a time while
/// the next is read — memory stays at about three parts whatever the size. The object's SHA-256 must be known when
/// the upload starts, so it comes from <see cref="PutObjectOptions.ExpectedSha256"/> (single pass), from a first
/// reading pass over a seekable stream, or from spooling a non-seekable stream to a temporary file (never to memory).
/// The parts are read through a stream that re-verifies length and SHA-256 and fails before the last part is sent;
/// the upload is completed only after that, and aborted on any failure, so a wrong upload never becomes visible.
/// Content of unknown length may be up to 10 000 parts of 8 MiB (~84 GB); with a known length (seekable stream,
/// spool, or <see cref="PutObjectOptions.ExpectedLength"/>) up to the S3 limit of 5 TiB.</para>
/// <para><b>Retention</b> is S3 Object Lock on the object's current version: the server refuses to delete a retained
/// or held version and to shorten or weaken compliance retention (<see cref="RetentionEnforcement.Worm"/>). Objects
/// uploaded in parts get their retention in a second request right after the upload completes (object-lock headers on
/// CreateMultipartUpload are not relied on: not tried against every server); if that fails the new version is
/// deleted again and the write fails.</para>
/// <para><b>Delete</b> permanently deletes the current version by its version id, which the server refuses while it is
/// retained or held (<see cref="ObjectLockedException"/>): a retained object stays retrievable. If an older version then
/// becomes current, a delete marker hides it so that the key reads as absent.</para>
/// <para><b>Overwrite</b> of a key whose current version is retained or held is refused (the old version would stay
/// protected on the server, but the key would serve new content). Create-only and this check are best effort (a
/// HEAD before the write, sent while the content is read and hashed): Ceph ignores <c>If-None-Match</c> on versioned
/// buckets and multipart uploads have no such condition, so <see cref="ObjectStoreCapabilities.AtomicCreateOnly"/> is
/// not reported.</para>
/// </remarks>
public sealed partial class MinioObjectStore : IObjectStore, IObjectRetentionStore, IDisposable
{
    /// <summary>Value of <see cref="SystemName"/>.</summary>
    public const string System = "s3";

    /// <summary>Content below this size is sent in one PUT (S3's minimum part size, 5 MiB).</summary>
    internal const int SinglePartLimit = 5 * 1024 * 1024;

    /// <summary>Part size of a multipart upload unless the content needs larger parts (8 MiB).</summary>
    internal const int DefaultPartSize = 8 * 1024 * 1024;

    /// <summary>Largest part S3 accepts (5 GiB), capped to what one array holds.</summary>
    internal const int MaxPartSize = 2_000 * 1024 * 1024;

    /// <summary>S3's limit on the parts of one upload.</summary>
    internal const int MaxParts = 10_000;

    /// <summary>Parts being sent while the next one is read.</summary>
    internal const int PartsInFlight = 2;

    /// <summary>Object-lock headers, written by a single-request put and read back from HEAD/GET answers.</summary>
    private const string LockModeHeader = "x-amz-object-lock-mode";

    private const string RetainUntilHeader = "x-amz-object-lock-retain-until-date";

    private static readonly PutObjectOptions NoOptions = new();

    private readonly MinioStorageOptions _options;
    private readonly Lazy<IMinioClient> _client;
    private readonly bool _ownsClient;
    private readonly S3DirectClient _direct;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _readyLock = new(1, 1);
    private volatile bool _ready;

    /// <summary>Creates a store that builds its own client from <paramref name="options"/> on first use.</summary>
    /// <exception cref="OptionsValidationException">The options break a rule.</exception>
    public MinioObjectStore(MinioStorageOptions options)
        : this(null, options, TimeProvider.System)
    {
    }

    /// <summary>Creates a store over a client supplied by the host (not disposed by the store).</summary>
    /// <param name="client">The host's client.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">Logs retries, failed and slow requests and aborted multipart uploads; none by default.</param>
    /// <exception cref="OptionsValidationException">The options break a rule.</exception>
    public MinioObjectStore(IMinioClient client, MinioStorageOptions options, ILogger<MinioObjectStore>? logger = null)
        : this(client ?? throw new ArgumentNullException(nameof(client)), options, TimeProvider.System, logger)
    {
    }

    internal MinioObjectStore(IMinioClient? client, MinioStorageOptions options, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = MinioStorageOptionsValidator.Errors(options, hostSuppliesClient: client is not null);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MinioStorageOptions), errors);
        }

        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _ownsClient = client is null;
        _client = client is null ? new Lazy<IMinioClient>(() => BuildClient(options)) : new Lazy<IMinioClient>(client);
        _direct = new S3DirectClient(() => _client.Value, options.Bucket, options.Region, options.ReadRetries, time,
            options.RequestTimeoutMilliseconds > 0 ? TimeSpan.FromMilliseconds(options.RequestTimeoutMilliseconds) : null, _logger);
    }

    /// <inheritdoc />
    public string SystemName => System;

    /// <inheritdoc />
    public string ContainerName => _options.Bucket;

    /// <inheritdoc />
    /// <remarks>A store over a <see cref="MinioStorageOptions.CoordinationBucket"/> reports
    /// <see cref="ObjectStoreCapabilities.AtomicCreateOnly"/>: it is used only after its bucket was found unversioned
    /// and answering a repeated create-only write with 412.</remarks>
    public ObjectStoreCapabilities Capabilities => _options.IsCoordination
        ? ObjectStoreCapabilities.NativeRangedRead | ObjectStoreCapabilities.AtomicCreateOnly
        : ObjectStoreCapabilities.NativeRangedRead;

    /// <inheritdoc />
    /// <remarks>The store itself answers for <see cref="IObjectRetentionStore"/> (S3 Object Lock).</remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public RetentionEnforcement Enforcement => RetentionEnforcement.Worm;

    /// <summary>The S3 client in use (the host's when it registered one); internal for the registration tests.</summary>
    internal IMinioClient Client => _client.Value;

    private string Bucket => _options.Bucket;

    /// <summary>Builds the client this store uses when the host supplies none.</summary>
    internal static IMinioClient BuildClient(MinioStorageOptions options)
    {
        var client = new MinioClient()
            .WithEndpoint(options.Endpoint)
            .WithCredentials(options.AccessKey, options.SecretKey)
            .WithRegion(options.Region)
            .WithSSL(options.Secure);
        if (options.RequestTimeoutMilliseconds > 0)
        {
            client = client.WithTimeout(options.RequestTimeoutMilliseconds);
        }

        return client.Build();
    }

    // ------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------

    /// <summary>The S3 object name of a normalised key.</summary>
    internal string ToS3Key(string key) => _options.KeyPrefix + key;

    private async Task<Dictionary<string, string>?> HeadAsync(string s3Key, string operation, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _direct.HeadAsync(s3Key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, operation, key);
        }
    }

    /// <summary>Builds an <see cref="ObjectInfo"/> from HEAD/GET response headers.</summary>
    internal static ObjectInfo ToInfo(string key, IReadOnlyDictionary<string, string> headers, long? totalLength)
    {
        var (metadata, sha) = MetadataCodec.FromHeaders(headers);
        long length = totalLength ?? (headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0);
        var lastModified = headers.TryGetValue("Last-Modified", out var lm) && DateTimeOffset.TryParse(lm, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : DateTimeOffset.MinValue;
        return new ObjectInfo
        {
            Key = key,
            Length = length,
            Sha256 = sha,
            LastModified = lastModified,
            ETag = ETag(headers) ?? "",
            ContentType = headers.TryGetValue("Content-Type", out var contentType) ? contentType : null,
            Metadata = metadata,
        };
    }

    /// <summary>
    /// Whether the current version is the one just written: same ETag, or (Ceph answers an empty ETag to a completed
    /// multipart upload) same recorded SHA-256 and length.
    /// </summary>
    private static bool IsOurs(IReadOnlyDictionary<string, string> headers, string etag, string sha, long length)
    {
        if (etag.Length > 0)
        {
            return string.Equals(ETag(headers), etag, StringComparison.Ordinal);
        }

        var info = ToInfo("-", headers, null);
        return string.Equals(info.Sha256, sha, StringComparison.Ordinal) && info.Length == length;
    }

    private static string? ETag(IReadOnlyDictionary<string, string> headers) => headers.TryGetValue("ETag", out var etag) ? etag.Trim('"') : null;

    private static string? VersionId(IReadOnlyDictionary<string, string> headers)
        => headers.TryGetValue("x-amz-version-id", out var v) && !string.IsNullOrEmpty(v) ? v : null;

    private static bool LegalHold(IReadOnlyDictionary<string, string> headers)
        => headers.TryGetValue("x-amz-object-lock-legal-hold", out var v) && string.Equals(v.Trim(), "ON", StringComparison.OrdinalIgnoreCase);

    /// <summary>The retention recorded in response headers, or <see langword="null"/>.</summary>
    internal static ObjectRetention? ReadRetention(IReadOnlyDictionary<string, string> headers)
    {
        if (!headers.TryGetValue(LockModeHeader, out var mode) || string.IsNullOrWhiteSpace(mode)
            || !headers.TryGetValue(RetainUntilHeader, out var until)
            || !DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var retainUntil))
        {
            return null;
        }

        return new ObjectRetention(string.Equals(mode.Trim(), LockModeValue(RetentionMode.Governance), StringComparison.OrdinalIgnoreCase) ? RetentionMode.Governance : RetentionMode.Compliance, retainUntil);
    }

    /// <summary>The object-lock mode as S3 writes it in <see cref="LockModeHeader"/>.</summary>
    private static string LockModeValue(RetentionMode mode) => mode == RetentionMode.Governance ? "GOVERNANCE" : "COMPLIANCE";

    private string? LockReason(IReadOnlyDictionary<string, string> headers)
    {
        if (LegalHold(headers))
        {
            return "the object is under a legal hold";
        }

        return ReadRetention(headers) is { } retention && retention.RetainUntil > _time.GetUtcNow()
            ? $"the object has {retention.Mode} retention until {retention.RetainUntil:O}"
            : null;
    }

    private ObjectRetention? DefaultRetention()
        => _options.DefaultRetentionDays is { } days ? new ObjectRetention(_options.DefaultRetentionMode, _time.GetUtcNow().AddDays(days)) : null;

    private void ValidateRetention(ObjectRetention retention, string field)
    {
        if (!Enum.IsDefined(retention.Mode))
        {
            throw new ArchiveValidationException(field + ".mode", "retention.mode", "The retention mode must be Governance or Compliance.");
        }

        if (retention.RetainUntil <= _time.GetUtcNow())
        {
            throw new ArchiveValidationException(field + ".retainUntil", "retention.in-past", "The retain-until date must be in the future.");
        }
    }

    /// <summary>S3 keeps retain-until dates to the second: round up so that retention is never shorter than asked.</summary>
    internal static DateTimeOffset RoundUp(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        var truncated = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return truncated == utc ? truncated : truncated.AddSeconds(1);
    }

    private static ObjectRetentionMode ToSdk(RetentionMode mode) => mode == RetentionMode.Governance ? ObjectRetentionMode.GOVERNANCE : ObjectRetentionMode.COMPLIANCE;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient && _client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        _readyLock.Dispose();
    }
}
