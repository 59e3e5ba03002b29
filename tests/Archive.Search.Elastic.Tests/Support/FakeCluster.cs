using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;

namespace Archive.Search.Elastic.Tests.Support;

/// <summary>One request the client sent.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string Body)
{
    public string Path => PathAndQuery.Split('?')[0];

    public string Query => PathAndQuery.Contains('?') ? PathAndQuery[(PathAndQuery.IndexOf('?') + 1)..] : "";

    public JsonNode? Json => JsonNode.Parse(Body);

    /// <summary>The lines of an NDJSON body, parsed.</summary>
    public List<JsonNode?> NdJson => Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)).ToList();

    public override string ToString() => $"{Method} {Path}";
}

/// <summary>A canned answer.</summary>
public sealed record CannedResponse(int Status, string? Body = null)
{
    public static CannedResponse Ok(string body) => new(200, body);

    public static CannedResponse Json(int status, JsonNode body) => new(status, body.ToJsonString());
}

/// <summary>
/// The client's transport without a network: every request is recorded (method, path and query, body as sent) and
/// answered by <see cref="Route"/> through the transport's own <see cref="InMemoryRequestInvoker"/> response building,
/// so responses are parsed exactly as real ones would be.
/// </summary>
public sealed class FakeCluster : IRequestInvoker
{
    // Responses carry the product header: the client refuses a server that does not say it is Elasticsearch.
    private readonly InMemoryRequestInvoker _builder = new(null!, 200, null, "application/json", new Dictionary<string, IEnumerable<string>>(StringComparer.OrdinalIgnoreCase) { ["X-Elastic-Product"] = ["Elasticsearch"] });
    private int _inFlight;

    public FakeCluster(Func<RecordedRequest, CannedResponse>? route = null)
    {
        Route = route ?? (_ => CannedResponse.Ok("{}"));
    }

    public Func<RecordedRequest, CannedResponse> Route { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Delay of every answer (to observe concurrency).</summary>
    public TimeSpan Latency { get; set; }

    public int MaxInFlight { get; private set; }

    public ResponseFactory ResponseFactory => ((IRequestInvoker)_builder).ResponseFactory;

    public ElasticsearchClient Client()
        => new(new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://es.test:9200")), this).DisableDirectStreaming());

    public List<RecordedRequest> Sent(string method, string pathPrefix)
        => Requests.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    public async Task<TResponse> RequestAsync<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData, CancellationToken cancellationToken)
        where TResponse : TransportResponse, new()
    {
        var recorded = await RecordAsync(endpoint, boundConfiguration, postData, cancellationToken);
        var now = Interlocked.Increment(ref _inFlight);
        lock (this)
        {
            MaxInFlight = Math.Max(MaxInFlight, now);
        }

        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, cancellationToken);
            }

            var answer = Route(recorded);
            var bytes = answer.Body is null ? null : Encoding.UTF8.GetBytes(answer.Body);
            return await _builder.BuildResponseAsync<TResponse>(endpoint, boundConfiguration, postData, cancellationToken, bytes, answer.Status, "application/json");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public TResponse Request<TResponse>(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData)
        where TResponse : TransportResponse, new()
        => RequestAsync<TResponse>(endpoint, boundConfiguration, postData, CancellationToken.None).GetAwaiter().GetResult();

    public void Dispose()
    {
    }

    private async Task<RecordedRequest> RecordAsync(Endpoint endpoint, BoundConfiguration boundConfiguration, PostData? postData, CancellationToken cancellationToken)
    {
        var body = "";
        if (postData is not null)
        {
            using var ms = new MemoryStream();
            await postData.WriteAsync(ms, boundConfiguration.ConnectionSettings, false, cancellationToken);
            body = Encoding.UTF8.GetString(ms.ToArray());
        }

        var recorded = new RecordedRequest(endpoint.Method.ToString(), "/" + endpoint.PathAndQuery.TrimStart('/'), body);
        Requests.Enqueue(recorded);
        return recorded;
    }
}
