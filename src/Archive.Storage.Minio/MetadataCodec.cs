using System.Text;

namespace Archive.Storage.Minio;

/// <summary>
/// User metadata on S3 travels as HTTP headers (<c>x-amz-meta-NAME</c>), which carry ASCII only; the Minio SDK 7.0.0
/// even throws before sending a non-ASCII value. Values that are not plain printable ASCII (or that could be mistaken
/// for an encoded value, or would lose leading/trailing blanks) are sent as an RFC 2047 encoded word
/// (<c>=?UTF-8?B?base64?=</c>, the form AWS documents for non-ASCII metadata) and decoded on read.
/// Names are ASCII letters, digits and '-', stored lower-case (HTTP header names are case-insensitive).
/// </summary>
internal static class MetadataCodec
{
    /// <summary>Header prefix of user metadata.</summary>
    public const string HeaderPrefix = "x-amz-meta-";

    /// <summary>Reserved metadata name holding the SHA-256 recorded at write time.</summary>
    public const string Sha256Name = "archive-sha256";

    /// <summary>Reserved name prefix; callers cannot use it.</summary>
    public const string ReservedPrefix = "archive-";

    private const string EncodedPrefix = "=?UTF-8?B?";
    private const string EncodedSuffix = "?=";

    /// <summary>Encodes a value for an HTTP header.</summary>
    public static string EncodeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return NeedsEncoding(value) ? EncodedPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + EncodedSuffix : value;
    }

    /// <summary>Decodes a header value written by <see cref="EncodeValue"/>; other values are returned as they are.</summary>
    public static string DecodeValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length >= EncodedPrefix.Length + EncodedSuffix.Length
            && value.StartsWith(EncodedPrefix, StringComparison.OrdinalIgnoreCase)
            && value.EndsWith(EncodedSuffix, StringComparison.Ordinal))
        {
            var payload = value.AsSpan(EncodedPrefix.Length, value.Length - EncodedPrefix.Length - EncodedSuffix.Length);
            var bytes = new byte[(payload.Length * 3 / 4) + 3];
            if (Convert.TryFromBase64Chars(payload, bytes, out var written))
            {
                try
                {
                    return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
                }
                catch (DecoderFallbackException)
                {
                    return value;
                }
            }
        }

        return value;
    }

    private static bool NeedsEncoding(string value)
    {
        if (value.Length == 0)
        {
            // Empty header values may be dropped on the way; an encoded word keeps the value.
            return true;
        }

        if (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t')
        {
            return true;
        }

        if (value.StartsWith("=?", StringComparison.Ordinal) && value.EndsWith("?=", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var c in value)
        {
            if (c is < (char)0x20 or > (char)0x7E)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Validates caller metadata and returns it as headers (<c>x-amz-meta-name</c> → encoded value).
    /// </summary>
    /// <exception cref="ArchiveValidationException">A name is empty, has characters other than ASCII letters, digits and '-', is reserved, or appears twice ignoring case.</exception>
    public static Dictionary<string, string> ToHeaders(IReadOnlyDictionary<string, string>? metadata)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (metadata is null)
        {
            return headers;
        }

        var errors = new List<ValidationError>();
        foreach (var (name, value) in metadata)
        {
            var field = $"metadata[{name}]";
            if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                errors.Add(new ValidationError(field, "metadata.name", "Metadata names must be ASCII letters, digits and '-'."));
                continue;
            }

            if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ValidationError(field, "metadata.reserved", $"Metadata names starting with '{ReservedPrefix}' are reserved for the store."));
                continue;
            }

            if (value is null)
            {
                errors.Add(new ValidationError(field, "metadata.value-null", "Metadata values must not be null."));
                continue;
            }

            if (!headers.TryAdd(HeaderPrefix + name.ToLowerInvariant(), EncodeValue(value)))
            {
                errors.Add(new ValidationError(field, "metadata.duplicate", "Metadata names are case-insensitive; this name appears twice."));
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return headers;
    }

    /// <summary>
    /// Extracts user metadata (decoded, lower-case names, case-insensitive lookup) and the recorded SHA-256 from
    /// response headers.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Metadata, string? Sha256) FromHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Dictionary<string, string>? metadata = null;
        string? sha256 = null;
        foreach (var (name, value) in headers)
        {
            if (!name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var shortName = name[HeaderPrefix.Length..].ToLowerInvariant();
            if (shortName == Sha256Name)
            {
                sha256 = IsSha256(value) ? value.ToLowerInvariant() : null;
            }
            else if (!shortName.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                metadata ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                metadata[shortName] = DecodeValue(value);
            }
        }

        return (metadata ?? (IReadOnlyDictionary<string, string>)EmptyMetadata, sha256);
    }

    /// <summary>Whether <paramref name="value"/> is 64 hexadecimal digits.</summary>
    public static bool IsSha256(string? value) => value is { Length: 64 } && value.All(char.IsAsciiHexDigit);

    private static readonly Dictionary<string, string> EmptyMetadata = new(StringComparer.OrdinalIgnoreCase);
}
