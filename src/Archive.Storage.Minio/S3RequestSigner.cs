using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Archive.Storage.Minio;

/// <summary>
/// AWS Signature Version 4 in query-string form ("presigned" URLs, payload <c>UNSIGNED-PAYLOAD</c>, only the
/// <c>host</c> header signed) for the few read requests the Minio SDK 7.0.0 cannot do correctly: ranged GET
/// (upstream issue 1342), single-request HEAD, and ListObjectsV2 with page size and continuation token.
/// Path-style addressing (<c>/bucket/key</c>), as MinIO and Ceph RGW use.
/// </summary>
internal static class S3RequestSigner
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Builds a signed URL.</summary>
    /// <param name="method">HTTP method (GET, HEAD).</param>
    /// <param name="endpoint">Scheme, host and port, e.g. <c>http://127.0.0.1:9000</c>.</param>
    /// <param name="bucket">Bucket.</param>
    /// <param name="objectKey">Object key, or <see langword="null"/> for a bucket request.</param>
    /// <param name="query">Unencoded query parameters (e.g. <c>list-type=2</c>).</param>
    /// <param name="credentials">Access key, secret key and optional session token.</param>
    /// <param name="region">Signing region.</param>
    /// <param name="now">Signing time (UTC).</param>
    /// <param name="expiresSeconds">Validity of the URL.</param>
    public static Uri Presign(
        string method,
        Uri endpoint,
        string bucket,
        string? objectKey,
        IEnumerable<KeyValuePair<string, string>> query,
        S3Credentials credentials,
        string region,
        DateTime now,
        int expiresSeconds = 900)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        var amzDate = now.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/s3/aws4_request";

        var path = "/" + UriEncode(bucket, encodeSlash: true);
        if (objectKey is not null)
        {
            path += "/" + UriEncode(objectKey, encodeSlash: false);
        }

        var parameters = new List<KeyValuePair<string, string>>(query)
        {
            new("X-Amz-Algorithm", Algorithm),
            new("X-Amz-Credential", credentials.AccessKey + "/" + scope),
            new("X-Amz-Date", amzDate),
            new("X-Amz-Expires", expiresSeconds.ToString(CultureInfo.InvariantCulture)),
            new("X-Amz-SignedHeaders", "host"),
        };
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            parameters.Add(new("X-Amz-Security-Token", credentials.SessionToken));
        }

        var canonicalQuery = string.Join('&', parameters
            .Select(p => (Key: UriEncode(p.Key, true), Value: UriEncode(p.Value, true)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

        var host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Host + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);
        var canonicalRequest = string.Join('\n', method, path, canonicalQuery, "host:" + host, "", "host", "UNSIGNED-PAYLOAD");
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, "s3");
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        // Built as a string: UriBuilder would escape the '%' of the already encoded path again.
        return new Uri($"{endpoint.Scheme}://{host}{path}?{canonicalQuery}&X-Amz-Signature={signature}", UriKind.Absolute);
    }

    /// <summary>URI-encodes as SigV4 requires: every byte except A-Z a-z 0-9 - _ . ~ (and '/' unless <paramref name="encodeSlash"/>).</summary>
    public static string UriEncode(string value, bool encodeSlash)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length * 2);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                var c = (char)rune.Value;
                if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash))
                {
                    sb.Append(c);
                    continue;
                }
            }

            var n = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < n; i++)
            {
                sb.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

/// <summary>Credentials for <see cref="S3RequestSigner"/>.</summary>
internal sealed record S3Credentials(string AccessKey, string SecretKey, string? SessionToken);
