using System.Net;
using System.Reflection;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Archive.Storage.Minio.Tests;

/// <summary>
/// A mocked <see cref="IMinioClient"/> (SDK calls) whose <see cref="IMinioClient.Config"/> carries an HttpClient over a
/// scripted handler (the adapter's own signed HEAD/GET/list requests). No network.
/// </summary>
internal sealed class FakeS3 : HttpMessageHandler
{
    public FakeS3(string keyPrefix = "", Action<MinioStorageOptions>? configure = null)
    {
        var real = new MinioClient().WithEndpoint("s3.test:9000").WithCredentials("AKIATEST", "secret").WithRegion("us-east-1")
            .WithHttpClient(new HttpClient(this)).Build();
        Client = new Mock<IMinioClient>(MockBehavior.Strict);
        Client.SetupGet(c => c.Config).Returns(real.Config);
        Client.Setup(c => c.BucketExistsAsync(It.IsAny<BucketExistsArgs>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        var options = new MinioStorageOptions { Bucket = "bucket", KeyPrefix = keyPrefix, Secure = false };
        configure?.Invoke(options);
        Store = new MinioObjectStore(Client.Object, options, TimeProvider.System);
    }

    public Mock<IMinioClient> Client { get; }

    public MinioObjectStore Store { get; }

    public List<HttpRequestMessage> Requests { get; } = [];

    /// <summary>The body of each request that had one, read when it was sent.</summary>
    public Dictionary<HttpRequestMessage, byte[]> Bodies { get; } = [];

    /// <summary>The PUT requests sent directly (not through the mocked SDK client).</summary>
    public IEnumerable<HttpRequestMessage> Puts => Requests.Where(r => r.Method == HttpMethod.Put);

    /// <summary>A successful PUT answer.</summary>
    public static HttpResponseMessage Stored(string etag, string versionId = "v1")
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        response.Headers.TryAddWithoutValidation("ETag", "\"" + etag + "\"");
        response.Headers.TryAddWithoutValidation("x-amz-version-id", versionId);
        return response;
    }

    /// <summary>One header of a request or its content, as sent.</summary>
    public static string? Header(HttpRequestMessage request, string name)
        => request.Headers.NonValidated.TryGetValues(name, out var v) ? string.Join(',', v)
            : request.Content is not null && request.Content.Headers.NonValidated.TryGetValues(name, out var c) ? string.Join(',', c) : null;

    /// <summary>Answers requests; default: 404 for everything.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage> Respond { get; set; } = _ => new HttpResponseMessage(HttpStatusCode.NotFound);

    /// <summary>Whether GET ?object-lock answers Enabled (else ObjectLockConfigurationNotFoundError).</summary>
    public bool LockEnabled { get; set; } = true;

    /// <summary>How many times the bucket's object-lock configuration was asked for.</summary>
    public int LockRequests { get; private set; }

    /// <summary>How long each answer takes (honouring the request's cancellation), or null to answer at once.</summary>
    public Func<HttpRequestMessage, TimeSpan?> Delay { get; set; } = _ => null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.Query.Contains("object-lock=&", StringComparison.Ordinal))
        {
            LockRequests++;
            return LockEnabled
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>") }
                : Error(HttpStatusCode.NotFound, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket");
        }

        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (Requests)
        {
            // Parts of a multipart upload arrive concurrently.
            Requests.Add(request);
            if (body is not null)
            {
                Bodies[request] = body;
            }
        }

        if (Delay(request) is { } delay)
        {
            await Task.Delay(delay, cancellationToken);
        }

        return Respond(request);
    }

    /// <summary>A HEAD/GET answer describing an object.</summary>
    public static HttpResponseMessage Object(long length = 3, string etag = "abc", string? versionId = "v1", params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[length]) };
        response.Headers.TryAddWithoutValidation("ETag", "\"" + etag + "\"");
        response.Content.Headers.TryAddWithoutValidation("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT");
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/octet-stream");
        if (versionId is not null)
        {
            response.Headers.TryAddWithoutValidation("x-amz-version-id", versionId);
        }

        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message = "error") => new(status)
    {
        Content = new StringContent($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"),
    };

    /// <summary>An SDK exception as the SDK builds it for an S3 error document.</summary>
    public static UnexpectedMinioException SdkError(string code, string message)
    {
        var e = new UnexpectedMinioException(message);
        typeof(MinioException).GetProperty(nameof(MinioException.Response))!.SetValue(e, new ErrorResponse { Code = code, Message = message });
        return e;
    }

    /// <summary>Reads an internal property of SDK args (e.g. ObjectName, VersionId).</summary>
    public static T? Arg<T>(object args, string property)
        => (T?)args.GetType().GetProperty(property, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.GetValue(args);
}
