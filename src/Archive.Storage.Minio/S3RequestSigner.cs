using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Archive.Storage.Minio;

/// <summary>
/// AWS Signature Version 4 for the requests this package sends itself instead of through the Minio SDK 7.0.0:
/// in query-string form ("presigned" URLs, payload <c>UNSIGNED-PAYLOAD</c>, only the <c>host</c> header signed) for
/// reads the SDK cannot do correctly (ranged GET, upstream issue 1342; single-request HEAD; ListObjectsV2 with page
/// size and continuation token), and in header form with the payload's SHA-256 signed for single-request PUTs (the
/// digest the store computes anyway, so the body is hashed once, and the server refuses a body that does not match).
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

        var path = CanonicalPath(bucket, objectKey);
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

        var canonicalQuery = CanonicalQuery(parameters);

        var host = Host(endpoint);
        var canonicalRequest = string.Join('\n', method, path, canonicalQuery, "host:" + host, "", "host", "UNSIGNED-PAYLOAD");
        var signature = Signature(canonicalRequest, amzDate, scope, credentials.SecretKey, region);

        // Built as a string: UriBuilder would escape the '%' of the already encoded path again.
        return new Uri($"{endpoint.Scheme}://{host}{path}?{canonicalQuery}&X-Amz-Signature={signature}", UriKind.Absolute);
    }

    /// <summary>The URL of an object, path-style, with optional (unencoded) query parameters.</summary>
    public static Uri ObjectUri(Uri endpoint, string bucket, string objectKey, IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var canonicalQuery = query is null ? "" : CanonicalQuery(query);
        return new Uri($"{endpoint.Scheme}://{Host(endpoint)}{CanonicalPath(bucket, objectKey)}{(canonicalQuery.Length == 0 ? "" : "?" + canonicalQuery)}", UriKind.Absolute);
    }

    /// <summary>
    /// Signs a request in header form: adds <c>x-amz-date</c>, <c>x-amz-content-sha256</c> (the payload digest, which
    /// the server checks against the body), the session token if any, and <c>Authorization</c>. Signed are
    /// <c>host</c> and every header already on the request whose name starts with <c>x-amz-</c> or is
    /// <c>content-type</c>, <c>content-md5</c> or <c>if-none-match</c>; headers must be added without validation so that
    /// what is sent is exactly what is signed.
    /// </summary>
    /// <param name="request">Request whose URI came from <see cref="ObjectUri"/> with the same <paramref name="query"/>; its content, if any, carries its headers.</param>
    /// <param name="endpoint">Scheme, host and port.</param>
    /// <param name="bucket">Bucket.</param>
    /// <param name="objectKey">Object key.</param>
    /// <param name="query">Unencoded query parameters (e.g. <c>partNumber</c>, <c>uploadId</c>).</param>
    /// <param name="payloadSha256">Lower-case hex SHA-256 of the body (of nothing, for a request without one).</param>
    /// <param name="credentials">Access key, secret key and optional session token.</param>
    /// <param name="region">Signing region.</param>
    /// <param name="now">Signing time (UTC).</param>
    public static void SignHeaders(HttpRequestMessage request, Uri endpoint, string bucket, string objectKey, IEnumerable<KeyValuePair<string, string>> query, string payloadSha256, S3Credentials credentials, string region, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credentials);
        var amzDate = now.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/s3/aws4_request";
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadSha256);
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", credentials.SessionToken);
        }

        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = Host(endpoint) };
        var headers = request.Content is null ? request.Headers.NonValidated : request.Headers.NonValidated.Concat(request.Content.Headers.NonValidated);
        foreach (var (name, values) in headers)
        {
            var lower = name.ToLowerInvariant();
            if (lower.StartsWith("x-amz-", StringComparison.Ordinal) || lower is "content-type" or "content-md5" or "if-none-match")
            {
                signed[lower] = string.Join(',', values.Select(CanonicalValue));
            }
        }

        var signedHeaders = string.Join(';', signed.Keys);
        var canonicalHeaders = string.Concat(signed.Select(h => h.Key + ":" + h.Value + "\n"));
        var canonicalRequest = string.Join('\n', request.Method.Method, CanonicalPath(bucket, objectKey), CanonicalQuery(query), canonicalHeaders, signedHeaders, payloadSha256);
        var signature = Signature(canonicalRequest, amzDate, scope, credentials.SecretKey, region);
        request.Headers.TryAddWithoutValidation("Authorization", $"{Algorithm} Credential={credentials.AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> query)
        => string.Join('&', query
            .Select(p => (Key: UriEncode(p.Key, true), Value: UriEncode(p.Value, true)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

    /// <summary>A header value as SigV4 signs it: trimmed, runs of spaces collapsed to one.</summary>
    private static string CanonicalValue(string value)
    {
        value = value.Trim();
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c != ' ' || sb.Length == 0 || sb[^1] != ' ')
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string CanonicalPath(string bucket, string? objectKey)
        => objectKey is null ? "/" + UriEncode(bucket, encodeSlash: true) : "/" + UriEncode(bucket, encodeSlash: true) + "/" + UriEncode(objectKey, encodeSlash: false);

    private static string Host(Uri endpoint)
        => endpoint.IsDefaultPort ? endpoint.Host : endpoint.Host + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);

    private static string Signature(string canonicalRequest, string amzDate, string scope, string secretKey, string region)
    {
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), amzDate[..8]);
        key = Hmac(key, region);
        key = Hmac(key, "s3");
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
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
