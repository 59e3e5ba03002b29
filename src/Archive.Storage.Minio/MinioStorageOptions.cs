using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Archive.Storage.Minio;

/// <summary>Options of the MinIO / S3 object store (<see cref="MinioObjectStore"/>).</summary>
public sealed class MinioStorageOptions : IValidatableObject
{
    /// <summary>
    /// Server address as <c>host:port</c> (no scheme), e.g. <c>minio.internal:9000</c>. Not needed when the host
    /// registers its own <c>IMinioClient</c>.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>Access key. Not needed when the host registers its own <c>IMinioClient</c>.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret key. Not needed when the host registers its own <c>IMinioClient</c>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Use HTTPS (default <see langword="true"/>: secure by default; set false for a loopback test server).</summary>
    public bool Secure { get; set; } = true;

    /// <summary>Region used to sign requests (default <c>us-east-1</c>, which MinIO and Ceph accept).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket (3-63 characters: lower-case letters, digits, '.', '-').</summary>
    public string Bucket { get; set; } = "";

    /// <summary>
    /// Optional prefix put in front of every key (e.g. <c>archive/</c>), so several stores can share a bucket.
    /// Must follow the key rules and end with '/'; empty for none.
    /// </summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// An unversioned bucket for write claims (create-only objects), needed when several hosts share the bucket and
    /// the server ignores If-None-Match on it (Ceph on versioned/Object Lock buckets).
    /// </summary>
    public string? CoordinationBucket { get; set; }

    /// <summary>
    /// Create the bucket, with S3 Object Lock enabled, on first use when it does not exist (default
    /// <see langword="false"/>: in production buckets are usually provisioned by an administrator).
    /// </summary>
    public bool CreateBucket { get; set; }

    /// <summary>
    /// Refuse to start using a bucket that has no S3 Object Lock (default <see langword="true"/>): without it
    /// retention and legal holds cannot be enforced and <see cref="IObjectRetentionStore"/> would be a lie.
    /// </summary>
    public bool RequireObjectLock { get; set; } = true;

    /// <summary>
    /// Retention applied to every object written without an explicit <see cref="PutObjectOptions.Retention"/>:
    /// <see langword="null"/> (the default) for none, otherwise this many days from the write.
    /// </summary>
    public int? DefaultRetentionDays { get; set; }

    /// <summary>Mode of <see cref="DefaultRetentionDays"/> (default <see cref="RetentionMode.Compliance"/>).</summary>
    public RetentionMode DefaultRetentionMode { get; set; } = RetentionMode.Compliance;

    /// <summary>
    /// Send <c>x-amz-bypass-governance-retention</c> when shortening or removing GOVERNANCE retention
    /// (default <see langword="false"/>: governance retention is then as strict as compliance for this store).
    /// The server still checks that the credentials hold the bypass permission; compliance retention can never be shortened.
    /// </summary>
    public bool BypassGovernanceRetention { get; set; }

    /// <summary>
    /// Folder for spooling non-seekable content of unknown digest (default: the system temporary folder).
    /// Content larger than one part (5 MiB) that arrives as a non-seekable stream without
    /// <see cref="PutObjectOptions.ExpectedSha256"/> is written there first so that its SHA-256 is known before the
    /// object is created; the file is deleted when the write ends.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>
    /// Time limit of one request in milliseconds (0 = none): for reads until the response headers arrive, for writes
    /// (a PUT, one part of a multipart upload) including sending the body. A read that times out is retried
    /// (<see cref="ReadRetries"/>); a write fails with "the request timed out". Also the SDK's timeout (bucket, delete,
    /// retention and legal-hold calls) of the client this package builds; a host-supplied client keeps its own.
    /// </summary>
    public int RequestTimeoutMilliseconds { get; set; }

    /// <summary>How often an idempotent read (stat, get, list) is retried after a transient failure (default 2).</summary>
    public int ReadRetries { get; set; } = 2;

    /// <summary>Set at registration when the host registered its own <c>IMinioClient</c> (endpoint and credentials are then not needed).</summary>
    internal bool HostSuppliesClient { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        => MinioStorageOptionsValidator.Errors(this, HostSuppliesClient).Select(e => new ValidationResult(e));
}

/// <summary>
/// Validates <see cref="MinioStorageOptions"/> at start-up (source-generated: the rules are
/// <see cref="MinioStorageOptions.Validate(ValidationContext)"/>); every message
/// names the option and the rule. Endpoint and credentials are not required when the host registered its own
/// <c>IMinioClient</c>.
/// </summary>
[OptionsValidator]
public sealed partial class MinioStorageOptionsValidator : IValidateOptions<MinioStorageOptions>
{
    /// <summary>The broken rules, each as "Option: message [rule]".</summary>
    internal static List<string> Errors(MinioStorageOptions options, bool hostSuppliesClient)
    {
        var errors = new List<string>();
        void Fail(string option, string rule, string message) => errors.Add($"{nameof(MinioStorageOptions)}.{option}: {message} [{rule}]");

        if (!hostSuppliesClient)
        {
            if (string.IsNullOrWhiteSpace(options.Endpoint))
            {
                Fail(nameof(options.Endpoint), "minio.endpoint.required", "the server address (host:port) is required unless an IMinioClient is registered.");
            }
            else if (options.Endpoint.Contains("://", StringComparison.Ordinal) || options.Endpoint.Contains('/', StringComparison.Ordinal))
            {
                Fail(nameof(options.Endpoint), "minio.endpoint.format", $"'{options.Endpoint}' must be host or host:port without scheme or path; use Secure for https.");
            }
            else if (!Uri.TryCreate("http://" + options.Endpoint, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            {
                Fail(nameof(options.Endpoint), "minio.endpoint.format", $"'{options.Endpoint}' is not a valid host:port.");
            }

            if (string.IsNullOrEmpty(options.AccessKey))
            {
                Fail(nameof(options.AccessKey), "minio.credentials.required", "the access key is required unless an IMinioClient is registered.");
            }

            if (string.IsNullOrEmpty(options.SecretKey))
            {
                Fail(nameof(options.SecretKey), "minio.credentials.required", "the secret key is required unless an IMinioClient is registered.");
            }
        }

        if (string.IsNullOrEmpty(options.Bucket))
        {
            Fail(nameof(options.Bucket), "minio.bucket.required", "the bucket name is required.");
        }
        else if (!BucketName().IsMatch(options.Bucket) || options.Bucket.Contains("..", StringComparison.Ordinal) || IpAddress().IsMatch(options.Bucket))
        {
            Fail(nameof(options.Bucket), "minio.bucket.format", $"'{options.Bucket}' is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, '.', '-'; starting and ending with a letter or digit).");
        }

        if (string.IsNullOrWhiteSpace(options.Region))
        {
            Fail(nameof(options.Region), "minio.region.required", "the region is required (us-east-1 for MinIO and Ceph).");
        }

        if (!string.IsNullOrEmpty(options.KeyPrefix))
        {
            if (!options.KeyPrefix.EndsWith('/'))
            {
                Fail(nameof(options.KeyPrefix), "minio.key-prefix.trailing-slash", $"'{options.KeyPrefix}' must end with '/'.");
            }
            else
            {
                try
                {
                    var normalized = ObjectKey.NormalizePrefix(options.KeyPrefix, nameof(options.KeyPrefix));
                    if (!string.Equals(normalized, options.KeyPrefix, StringComparison.Ordinal))
                    {
                        Fail(nameof(options.KeyPrefix), "minio.key-prefix.nfc", $"'{options.KeyPrefix}' must be in Unicode NFC form.");
                    }
                }
                catch (ArchiveValidationException e)
                {
                    Fail(nameof(options.KeyPrefix), e.Errors[0].Rule, e.Errors[0].Message);
                }
            }
        }

        if (options.DefaultRetentionDays is { } days && (days < 1 || days > 36500))
        {
            Fail(nameof(options.DefaultRetentionDays), "minio.default-retention.range", string.Create(CultureInfo.InvariantCulture, $"must be between 1 and 36500 days (was {days}); null for none."));
        }

        if (!Enum.IsDefined(options.DefaultRetentionMode))
        {
            Fail(nameof(options.DefaultRetentionMode), "minio.default-retention.mode", "must be Governance or Compliance.");
        }

        if (options.RequestTimeoutMilliseconds < 0)
        {
            Fail(nameof(options.RequestTimeoutMilliseconds), "minio.timeout.range", "must not be negative (0 = no timeout).");
        }

        if (options.ReadRetries is < 0 or > 10)
        {
            Fail(nameof(options.ReadRetries), "minio.retries.range", "must be between 0 and 10.");
        }

        if (options.SpoolDirectory is { Length: > 0 } spool && !Path.IsPathFullyQualified(spool))
        {
            Fail(nameof(options.SpoolDirectory), "minio.spool.absolute", $"'{spool}' must be an absolute path.");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();

    [GeneratedRegex(@"^\d+\.\d+\.\d+\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex IpAddress();
}
