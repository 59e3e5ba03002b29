using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using global::Minio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Storage.Minio;

/// <summary>
/// Requests this package signs itself and sends with the SDK's own <see cref="HttpClient"/> and credentials: HEAD in
/// one request (the SDK's stat sends a bucket HEAD first), ranged GET (the SDK's ranged get throws on 206, upstream
/// issue 1342) and ListObjectsV2 with page size, continuation token and correctly decoded prefixes (the SDK neither
/// pages nor decodes common prefixes) — idempotent, so transient failures are retried — and the writes: the
/// single-request PUT, signed with the SHA-256 the store has already computed (the SDK copies the body and hashes it
/// again), and the multipart upload's requests, each part signed with its own digest — never retried.
/// </summary>
internal sealed class S3DirectClient
{
    /// <summary>SHA-256 of an empty body.</summary>
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly Func<IMinioClient> _client;
    private readonly string _bucket;
    private readonly string _region;
    private readonly int _retries;
    private readonly TimeSpan? _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Requests slower than this (until the response headers) are logged as warnings.</summary>
    internal static readonly TimeSpan SlowRequest = TimeSpan.FromSeconds(10);

    /// <param name="client">The SDK client whose HttpClient, endpoint and credentials are used.</param>
    /// <param name="bucket">Bucket.</param>
    /// <param name="region">Signing region.</param>
    /// <param name="retries">Retries of idempotent reads on transient failures.</param>
    /// <param name="time">Clock for signing.</param>
    /// <param name="timeout">Time limit of one request (until the response headers arrive, the body of a write included); null: the HttpClient's own.</param>
    /// <param name="logger">Logs retries, failed and slow requests; none by default.</param>
    public S3DirectClient(Func<IMinioClient> client, string bucket, string region, int retries, TimeProvider? time = null, TimeSpan? timeout = null, ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _timeout = timeout;
        _client = client;
        _bucket = bucket;
        _region = region;
        _retries = retries;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Response headers of a HEAD, or <see langword="null"/> on 404 (absent, or its current version is a delete marker).</summary>
    public async Task<Dictionary<string, string>?> HeadAsync(string s3Key, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Head, s3Key, [], null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return Headers(response);
    }

    /// <summary>
    /// Stores <paramref name="body"/> in one PUT, signed with its SHA-256 (the server refuses a body that does not
    /// match). <paramref name="headers"/> go on the request as given (metadata, object lock, conditions); Content-MD5
    /// is added when <paramref name="contentMd5"/> is set (S3 requires it with object-lock headers). Not retried: a
    /// lost answer must not turn into a second version or a create-only conflict.
    /// </summary>
    /// <returns>The response headers (ETag, version id).</returns>
    /// <exception cref="S3HttpException">The server refused the request.</exception>
    public async Task<Dictionary<string, string>> PutAsync(string s3Key, ReadOnlyMemory<byte> body, string sha256, string contentType, IReadOnlyDictionary<string, string> headers, bool contentMd5, CancellationToken cancellationToken)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (contentMd5)
        {
            content.Headers.TryAddWithoutValidation("Content-MD5", Convert.ToBase64String(MD5.HashData(body.Span)));
        }

        using var response = await SendSignedAsync(HttpMethod.Put, s3Key, [], content, sha256, headers, cancellationToken).ConfigureAwait(false);
        return Headers(response);
    }

    /// <summary>Starts a multipart upload (CreateMultipartUpload) with the object's content type and headers.</summary>
    /// <returns>The upload id.</returns>
    public async Task<string> InitiateMultipartAsync(string s3Key, string contentType, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var content = new ReadOnlyMemoryContent(ReadOnlyMemory<byte>.Empty);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await SendSignedAsync(HttpMethod.Post, s3Key, [new("uploads", "")], content, EmptySha256, headers, cancellationToken).ConfigureAwait(false);
        var doc = await LoadAsync(response, cancellationToken).ConfigureAwait(false);
        var id = doc.Root?.Element(S3 + "UploadId")?.Value ?? doc.Root?.Element("UploadId")?.Value;
        return string.IsNullOrEmpty(id) ? throw new S3HttpException(response.StatusCode, "MalformedResponse", "CreateMultipartUpload answered without an UploadId") : id;
    }

    /// <summary>Uploads one part, signed with its SHA-256. Not retried.</summary>
    /// <returns>The part's ETag (quotes removed).</returns>
    public async Task<string> UploadPartAsync(string s3Key, string uploadId, int partNumber, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        var query = new List<KeyValuePair<string, string>> { new("partNumber", partNumber.ToString(CultureInfo.InvariantCulture)), new("uploadId", uploadId) };
        using var response = await SendSignedAsync(HttpMethod.Put, s3Key, query, new ReadOnlyMemoryContent(body), sha, null, cancellationToken).ConfigureAwait(false);
        var etag = Headers(response).GetValueOrDefault("ETag");
        return string.IsNullOrEmpty(etag) ? throw new S3HttpException(response.StatusCode, "MalformedResponse", "UploadPart answered without an ETag") : etag.Trim('"');
    }

    /// <summary>
    /// Completes a multipart upload from its parts in order. S3 may answer 200 and still fail (an Error document in
    /// the body): that is reported as the error it is.
    /// </summary>
    /// <returns>The object's ETag (quotes removed).</returns>
    public async Task<string> CompleteMultipartAsync(string s3Key, string uploadId, IReadOnlyList<string> partETags, CancellationToken cancellationToken)
    {
        var xml = new XElement(S3 + "CompleteMultipartUpload", partETags.Select((etag, i) => new XElement(
            S3 + "Part",
            new XElement(S3 + "PartNumber", (i + 1).ToString(CultureInfo.InvariantCulture)),
            new XElement(S3 + "ETag", "\"" + etag + "\""))));
        var body = System.Text.Encoding.UTF8.GetBytes(xml.ToString(SaveOptions.DisableFormatting));
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/xml");
        using var response = await SendSignedAsync(HttpMethod.Post, s3Key, [new("uploadId", uploadId)], content, Convert.ToHexStringLower(SHA256.HashData(body)), null, cancellationToken).ConfigureAwait(false);
        var doc = await LoadAsync(response, cancellationToken).ConfigureAwait(false);
        if (doc.Root?.Name.LocalName == "Error")
        {
            throw new S3HttpException(response.StatusCode, doc.Root.Element("Code")?.Value ?? doc.Root.Element(S3 + "Code")?.Value, doc.Root.Element("Message")?.Value ?? doc.Root.Element(S3 + "Message")?.Value);
        }

        var etag = doc.Root?.Element(S3 + "ETag")?.Value ?? doc.Root?.Element("ETag")?.Value;
        return (etag ?? "").Trim('"');
    }

    /// <summary>Aborts a multipart upload (its parts are discarded).</summary>
    public async Task AbortMultipartAsync(string s3Key, string uploadId, CancellationToken cancellationToken)
    {
        using var response = await SendSignedAsync(HttpMethod.Delete, s3Key, [new("uploadId", uploadId)], null, EmptySha256, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request signed in header form; throws <see cref="S3HttpException"/> unless it succeeded.</summary>
    private async Task<HttpResponseMessage> SendSignedAsync(HttpMethod method, string s3Key, List<KeyValuePair<string, string>> query, HttpContent? content, string payloadSha256, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        var (http, endpoint, credentials) = Connection();
        using var request = new HttpRequestMessage(method, S3RequestSigner.ObjectUri(endpoint, _bucket, s3Key, query)) { Content = content };
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        S3RequestSigner.SignHeaders(request, endpoint, _bucket, s3Key, query, payloadSha256, credentials, _region, _time.GetUtcNow().UtcDateTime);
        HttpResponseMessage response;
        using (var deadline = Deadline(cancellationToken))
        {
            response = await SendMeasuredAsync(http, request, deadline?.Token ?? cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The SDK client's HttpClient, endpoint and credentials, which every request of this class uses.</summary>
    private (HttpClient Http, Uri Endpoint, S3Credentials Credentials) Connection()
    {
        var config = _client().Config;
        var http = config.HttpClient ?? throw new InvalidOperationException("The IMinioClient has no HttpClient; call Build() on it before use.");
        return (http, Endpoint(config), new S3Credentials(config.AccessKey ?? "", config.SecretKey ?? "", config.SessionToken));
    }

    /// <summary>A token that also fires when the request's time limit passes, or null without a limit.</summary>
    private CancellationTokenSource? Deadline(CancellationToken cancellationToken)
    {
        if (_timeout is not { } timeout)
        {
            return null;
        }

        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        return deadline;
    }

    /// <summary>
    /// Parses a small XML answer. Leading whitespace is dropped: S3 keeps a long CompleteMultipartUpload alive by
    /// sending spaces before the document, which an XML declaration may not follow.
    /// </summary>
    private static async Task<XDocument> LoadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return XDocument.Parse(text.TrimStart());
    }

    /// <summary>
    /// Sends a GET; returns the open response (200 or 206; the caller disposes it), <see langword="null"/> on 404
    /// NoSuchKey, or a 416 response for an unsatisfiable range.
    /// </summary>
    public async Task<HttpResponseMessage?> GetAsync(string s3Key, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, s3Key, [], range, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.PartialContent or HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                return response;
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                if (error.Code is null or "NoSuchKey" or "NoSuchVersion")
                {
                    response.Dispose();
                    return null;
                }

                throw error;
            }

            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether the bucket has S3 Object Lock enabled (GET ?object-lock; the SDK's call throws an ArgumentException
    /// instead of answering "none" on Ceph).
    /// </summary>
    public async Task<bool> ObjectLockEnabledAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, null, [new("object-lock", "")], null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            if (error.Code is "ObjectLockConfigurationNotFoundError" or "NoSuchObjectLockConfiguration")
            {
                return false;
            }

            throw error;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var root = XDocument.Parse(text).Root;
        var enabled = root?.Element(root.Name.Namespace + "ObjectLockEnabled")?.Value;
        return string.Equals(enabled, "Enabled", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The bucket's versioning status: <c>Enabled</c>, <c>Suspended</c>, or empty when it was never enabled (GET ?versioning).</summary>
    public async Task<string> VersioningStatusAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, null, [new("versioning", "")], null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var root = XDocument.Parse(text).Root;
        return root?.Element(root.Name.Namespace + "Status")?.Value ?? string.Empty;
    }

    /// <summary>One ListObjectsV2 page.</summary>
    public async Task<S3ListPage> ListAsync(string prefix, string? delimiter, int maxKeys, string? continuationToken, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string>>
        {
            new("list-type", "2"),
            new("encoding-type", "url"),
            new("max-keys", maxKeys.ToString(CultureInfo.InvariantCulture)),
            new("prefix", prefix),
        };
        if (delimiter is not null)
        {
            query.Add(new("delimiter", delimiter));
        }

        if (continuationToken is not null)
        {
            query.Add(new("continuation-token", continuationToken));
        }

        using var response = await SendAsync(HttpMethod.Get, null, query, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var doc = await XDocument.LoadAsync(body, LoadOptions.None, cancellationToken).ConfigureAwait(false);
            return ParseList(doc);
        }
    }

    /// <summary>Parses a ListBucketResult (V2, encoding-type=url).</summary>
    internal static S3ListPage ParseList(XDocument doc)
    {
        var root = doc.Root ?? throw new FormatException("empty ListBucketResult");
        var ns = root.Name.Namespace;
        var encoded = string.Equals(root.Element(ns + "EncodingType")?.Value, "url", StringComparison.OrdinalIgnoreCase);
        string Decode(string v) => encoded ? WebUtility.UrlDecode(v) : v;

        var items = root.Elements(ns + "Contents").Select(c => new S3ListItem(
            Decode(c.Element(ns + "Key")?.Value ?? throw new FormatException("Contents without Key")),
            long.Parse(c.Element(ns + "Size")?.Value ?? "0", NumberStyles.None, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(c.Element(ns + "LastModified")?.Value ?? throw new FormatException("Contents without LastModified"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            (c.Element(ns + "ETag")?.Value ?? "").Trim('"'))).ToList();
        var prefixes = root.Elements(ns + "CommonPrefixes")
            .Select(p => Decode(p.Element(ns + "Prefix")?.Value ?? throw new FormatException("CommonPrefixes without Prefix")))
            .ToList();
        var truncated = string.Equals(root.Element(ns + "IsTruncated")?.Value, "true", StringComparison.OrdinalIgnoreCase);
        var next = root.Element(ns + "NextContinuationToken")?.Value;
        return new S3ListPage(items, prefixes, truncated && !string.IsNullOrEmpty(next) ? next : null);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string? s3Key, List<KeyValuePair<string, string>> query, RangeHeaderValue? range, CancellationToken cancellationToken)
    {
        var (http, endpoint, credentials) = Connection();
        for (var attempt = 0; ; attempt++)
        {
            var uri = S3RequestSigner.Presign(method.Method, endpoint, _bucket, s3Key, query, credentials, _region, _time.GetUtcNow().UtcDateTime);
            using var request = new HttpRequestMessage(method, uri);
            if (range is not null)
            {
                request.Headers.Range = range;
            }

            HttpResponseMessage? response = null;
            try
            {
                using var deadline = Deadline(cancellationToken);
                response = await SendMeasuredAsync(http, request, deadline?.Token ?? cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (attempt < _retries)
            {
                Log.RequestRetry(_logger, method.Method, _bucket, e.Message, attempt + 1, _retries);
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attempt < _retries)
            {
                // Timed out (the request's time limit or the HttpClient's), not cancelled by the caller.
                Log.RequestRetry(_logger, method.Method, _bucket, "timed out", attempt + 1, _retries);
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (IsTransient(response.StatusCode) && attempt < _retries)
            {
                Log.RequestRetry(_logger, method.Method, _bucket, "status " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), attempt + 1, _retries);
                response.Dispose();
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    /// <summary>
    /// Sends one request (response headers read) and measures it: the activity <c>archive.s3.request</c>, the
    /// histogram <c>archive.s3.request.duration</c>, the counter <c>archive.s3.request.failures</c> (5xx, 429, transport
    /// errors), and a log entry for failed, refused and slow requests.
    /// </summary>
    private async Task<HttpResponseMessage> SendMeasuredAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = request.Method.Method;
        var methodTag = new KeyValuePair<string, object?>("http.request.method", method);
        using var activity = S3Telemetry.Source.StartActivity("archive.s3.request", ActivityKind.Client);
        activity?.SetTag(methodTag.Key, methodTag.Value);
        activity?.SetTag("archive.s3.bucket", _bucket);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var failed = Stopwatch.GetElapsedTime(started);
            var error = new KeyValuePair<string, object?>("error.type", e.GetType().FullName);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            activity?.SetTag(error.Key, error.Value);
            S3Telemetry.RequestDuration.Record(failed.TotalSeconds, methodTag, error);
            if (e is OperationCanceledException)
            {
                Log.RequestCanceled(_logger, method, _bucket, (long)failed.TotalMilliseconds);
            }
            else
            {
                S3Telemetry.RequestFailures.Add(1, methodTag, error);
                Log.RequestError(_logger, method, _bucket, (long)failed.TotalMilliseconds, e.Message, e);
            }

            throw;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var status = (int)response.StatusCode;
        var statusTag = new KeyValuePair<string, object?>("http.response.status_code", status);
        activity?.SetTag(statusTag.Key, status);
        S3Telemetry.RequestDuration.Record(elapsed.TotalSeconds, methodTag, statusTag);
        if (status >= 500 || status == 429)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
            S3Telemetry.RequestFailures.Add(1, methodTag, statusTag);
            Log.RequestFailed(_logger, method, _bucket, status, (long)elapsed.TotalMilliseconds);
        }
        else if (status >= 400)
        {
            Log.RequestRefused(_logger, method, _bucket, status, (long)elapsed.TotalMilliseconds);
        }

        if (elapsed >= SlowRequest)
        {
            Log.SlowRequest(_logger, method, _bucket, (long)elapsed.TotalMilliseconds, status);
        }

        return response;
    }

    /// <summary>Whether a status is worth retrying (server busy or failing, not a client error).</summary>
    internal static bool IsTransient(HttpStatusCode status)
        => status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static Task DelayAsync(int attempt, CancellationToken cancellationToken)
        => Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << Math.Min(attempt, 5))), cancellationToken);

    internal static Uri Endpoint(MinioConfig config)
    {
        var endpoint = config.Endpoint;
        if (!string.IsNullOrEmpty(endpoint) && endpoint.StartsWith("http", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return uri;
        }

        var host = !string.IsNullOrEmpty(config.BaseUrl) ? config.BaseUrl : endpoint;
        if (string.IsNullOrEmpty(host))
        {
            throw new InvalidOperationException("The IMinioClient has no endpoint; call WithEndpoint(...).Build() on it before use.");
        }

        return new Uri((config.Secure ? "https://" : "http://") + host, UriKind.Absolute);
    }

    /// <summary>Response and content headers in one case-insensitive dictionary (multiple values joined with ',').</summary>
    internal static Dictionary<string, string> Headers(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            headers[name] = string.Join(',', values);
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            headers[name] = string.Join(',', values);
        }

        if (!headers.ContainsKey("Content-Length") && response.Content.Headers.ContentLength is { } length)
        {
            headers["Content-Length"] = length.ToString(CultureInfo.InvariantCulture);
        }

        return headers;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        throw await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an S3 error document (Code, Message) from a failed response.</summary>
    internal static async Task<S3HttpException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? code = null;
        string? message = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(text) && text.Length < 64 * 1024)
            {
                var doc = XDocument.Parse(text);
                code = doc.Root?.Element("Code")?.Value ?? doc.Root?.Element(S3 + "Code")?.Value;
                message = doc.Root?.Element("Message")?.Value ?? doc.Root?.Element(S3 + "Message")?.Value;
            }
        }
        catch (XmlException)
        {
            // Not an S3 error document (e.g. a proxy's HTML page): the status alone is reported.
        }

        return new S3HttpException(response.StatusCode, code, message);
    }
}

/// <summary>One entry of a listing.</summary>
internal sealed record S3ListItem(string Key, long Size, DateTimeOffset LastModified, string ETag);

/// <summary>One ListObjectsV2 page.</summary>
internal sealed record S3ListPage(IReadOnlyList<S3ListItem> Items, IReadOnlyList<string> CommonPrefixes, string? ContinuationToken);

/// <summary>An S3 error answered to a request this package signed itself.</summary>
internal sealed class S3HttpException : Exception
{
    public S3HttpException(HttpStatusCode status, string? code, string? serverMessage)
        : base(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status} {code ?? status.ToString()}{(serverMessage is null ? "" : ": " + serverMessage)}"))
    {
        Status = status;
        Code = code;
        ServerMessage = serverMessage;
    }

    public S3HttpException()
    {
    }

    public S3HttpException(string message) : base(message)
    {
    }

    public S3HttpException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public HttpStatusCode Status { get; }

    public string? Code { get; }

    public string? ServerMessage { get; }
}
