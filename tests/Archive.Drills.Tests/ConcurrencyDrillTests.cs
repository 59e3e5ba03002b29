using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archive.Records;
using Archive.Search;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Archive.Drills.Tests;

/// <summary>
/// Issue #9, drill 4: 200 concurrent clients for 60 s against the standalone server's pipeline on a real Kestrel
/// loopback socket, mixing content uploads, metadata updates (If-Match), record file creation and searches, many of
/// them on the same record files. Expected: 0 errors (412 conflicts of optimistic concurrency are expected, counted
/// apart and retried) and 0 lost writes (every acknowledged write is stored afterwards with its content digest; every
/// package passes fixity; the search index agrees with storage).
/// </summary>
/// <remarks>
/// <c>ARCHIVE_DRILL_CLIENTS</c> (default 200) and <c>ARCHIVE_DRILL_SECONDS</c> (default 60). The host is configured with
/// an administrator API key (<c>X-Api-Key</c>, security model) which every request sends.
/// </remarks>
public sealed class ConcurrencyDrillTests
{
    private const string Prefix = "/api";
    private const int SharedFiles = 24;

    [Fact]
    public async Task Clients_mixing_uploads_updates_and_searches_see_no_errors_and_lose_no_write()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var clients = DrillSettings.Int("ARCHIVE_DRILL_CLIENTS", 200);
        var duration = TimeSpan.FromSeconds(DrillSettings.Int("ARCHIVE_DRILL_SECONDS", 60));
        using var folder = new TempFolder("clients");
        var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using var host = new KestrelHost(Path.Combine(folder.Path, "data"), apiKey);
        host.UseKestrel(0);
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 8, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromMinutes(5), // correctness drill: a loaded machine may be slow, a timeout still counts as an error
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

        // Seed over HTTP: agency, fonds, the shared record files (each with one document).
        await Expect(http.PostAsync($"{Prefix}/agencies", Json(new { id = DrillEngine.AgencyId, name = "Bộ Nội vụ" }), ct), 201);
        await Expect(http.PostAsync($"{Prefix}/fonds", Json(new { code = DrillEngine.FondsCode, name = "Phông Bộ Nội vụ", agencyId = DrillEngine.AgencyId }), ct), 201);
        var shared = new List<string>();
        for (var i = 1; i <= SharedFiles; i++)
        {
            var created = await Expect(http.PostAsync($"{Prefix}/record-files", Json(RecordFile($"{i}.CHUNG", $"Hồ sơ dùng chung số {i}")), ct), 201);
            var code = (string)created["fileCode"]!;
            await Expect(http.PostAsync($"{FileUrl(code)}/documents", Json(new { subject = $"Văn bản chung {i}", typeName = "Công văn" }), ct), 201);
            shared.Add(code);
        }

        var ledger = new Ledger();
        var stop = DateTime.UtcNow + duration;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c, http, shared, ledger, stop, ct), ct)).ToArray();
        await Task.WhenAll(workers);
        watch.Stop();

        // Lost writes: everything acknowledged is stored, checked against the engine behind the server.
        var files = host.Services.GetRequiredService<RecordFileService>();
        var lost = new List<string>();
        foreach (var (code, name, sha, version) in ledger.Uploads)
        {
            var head = await files.GetAsync(code, ct);
            var at = await files.GetVersionAsync(code, version, ct);
            var inHead = head?.Value.Documents.SelectMany(d => d.Contents).FirstOrDefault(c => c.Name == name);
            var inVersion = at?.Value.Documents.SelectMany(d => d.Contents).FirstOrDefault(c => c.Name == name);
            if (inHead?.Sha256 != sha || inVersion?.Sha256 != sha)
            {
                lost.Add($"upload {code}/{name} v{version}");
            }
        }

        foreach (var (code, title, version) in ledger.Updates)
        {
            if ((await files.GetVersionAsync(code, version, ct))?.Value.Title != title)
            {
                lost.Add($"update {code} v{version} '{title}'");
            }
        }

        foreach (var code in ledger.Creates)
        {
            if (await files.GetAsync(code, ct) is null)
            {
                lost.Add($"create {code}");
            }
        }

        // A sample of the uploads read back over HTTP, byte for byte.
        var sample = ledger.Uploads.OrderBy(_ => Random.Shared.Next()).Take(200).ToList();
        foreach (var (code, name, sha, _) in sample)
        {
            using var response = await http.GetAsync($"{FileUrl(code)}/documents/1/contents/{Uri.EscapeDataString(name)}", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync(ct))));
        }

        var problems = 0;
        await foreach (var fixity in files.VerifyAllAsync(ct))
        {
            problems += fixity.Report.Problems.Count;
        }

        var index = await DrillEngine.CheckIndexAsync(files, host.Services.GetRequiredService<ISearchIndex>(), ct);
        var requests = ledger.Requests;
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{clients} clients for {watch.Elapsed.TotalSeconds:F1} s: {requests} requests ({requests / watch.Elapsed.TotalSeconds:F0}/s), "
            + $"{ledger.Uploads.Count} uploads ({ledger.UploadBytes / (1024 * 1024)} MiB), {ledger.Updates.Count} updates, {ledger.Creates.Count} creates, {ledger.Searches} searches; "
            + $"412 conflicts retried {ledger.Conflicts}; errors {ledger.Errors.Count}; lost writes {lost.Count}; latency p50 {ledger.Percentile(0.50):F0} ms, p99 {ledger.Percentile(0.99):F0} ms, max {ledger.Percentile(1):F0} ms; "
            + $"fixity problems {problems}; index: {index}"));
        Assert.True(ledger.Errors.IsEmpty, $"{ledger.Errors.Count} errors, e.g.: {string.Join("\n", ledger.Errors.Take(10))}");
        Assert.True(lost.Count == 0, $"{lost.Count} lost writes, e.g.: {string.Join("; ", lost.Take(10))}");
        Assert.Equal(0, problems);
        Assert.True(index.IsConsistent, index.ToString());
        Assert.True(ledger.Uploads.Count > 0 && ledger.Updates.Count > 0 && ledger.Searches > 0, "the mix did not run");
    }

    private static async Task ClientAsync(int client, HttpClient http, List<string> shared, Ledger ledger, DateTime stop, CancellationToken ct)
    {
        var random = new Random(client);
        var own = new List<string>();
        for (var n = 0; DateTime.UtcNow < stop; n++)
        {
            var roll = random.Next(100);
            try
            {
                if (roll < 30)
                {
                    // Upload a new content file into a shared (or own) record file's first document.
                    var code = own.Count > 0 && random.Next(4) == 0 ? own[random.Next(own.Count)] : shared[random.Next(shared.Count)];
                    var bytes = RandomNumberGenerator.GetBytes(random.Next(1, 64 * 1024));
                    var name = string.Create(CultureInfo.InvariantCulture, $"Tệp {client}-{n}.bin");
                    using var body = new ByteArrayContent(bytes);
                    body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    var sha = DrillEngine.Sha256(bytes);
                    using var response = await ledger.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Put, $"{FileUrl(code)}/documents/1/contents/{Uri.EscapeDataString(name)}?sha256={sha}") { Content = body }, ct);
                    if (await ledger.CheckAsync(response, "upload", ct))
                    {
                        ledger.Uploads.Add((code, name, sha, Version(response)));
                        Interlocked.Add(ref ledger.UploadBytes, bytes.Length);
                    }
                }
                else if (roll < 60)
                {
                    // Update a shared record file's title with If-Match; 412 = someone else won: read again and retry.
                    var code = shared[random.Next(shared.Count)];
                    var title = string.Create(CultureInfo.InvariantCulture, $"Hồ sơ dùng chung, sửa bởi máy {client} lượt {n}");
                    for (var attempt = 1; ; attempt++)
                    {
                        using var get = await ledger.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Get, FileUrl(code)), ct);
                        if (!await ledger.CheckAsync(get, "read before update", ct))
                        {
                            break;
                        }

                        var current = JsonNode.Parse(await get.Content.ReadAsStringAsync(ct))!;
                        var etag = get.Headers.ETag!.ToString();
                        var input = RecordFile((string)current["fileNotation"]!, title, (int)current["fileCatalog"]!);
                        using var put = await ledger.SendAsync(http, () =>
                        {
                            var r = new HttpRequestMessage(HttpMethod.Put, FileUrl(code)) { Content = Json(input) };
                            r.Headers.TryAddWithoutValidation("If-Match", etag);
                            return r;
                        }, ct);
                        if (put.StatusCode == HttpStatusCode.PreconditionFailed && attempt < 50)
                        {
                            // As a well-behaved client: back off exponentially with jitter, so that an If-Match writer is
                            // not starved by the writers without a precondition on a saturated server.
                            Interlocked.Increment(ref ledger.Conflicts);
                            await Task.Delay(random.Next(1, Math.Min(1000, 10 << Math.Min(attempt, 7))), ct);
                            continue;
                        }

                        if (await ledger.CheckAsync(put, "update", ct))
                        {
                            ledger.Updates.Add((code, title, Version(put)));
                        }

                        break;
                    }
                }
                else if (roll < 70)
                {
                    // Create a record file of one's own, with a document.
                    var notation = string.Create(CultureInfo.InvariantCulture, $"{n}.M{client}");
                    using var response = await ledger.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Post, $"{Prefix}/record-files") { Content = Json(RecordFile(notation, $"Hồ sơ riêng của máy {client} số {n}")) }, ct);
                    if (await ledger.CheckAsync(response, "create", ct))
                    {
                        var code = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["fileCode"]!;
                        ledger.Creates.Add(code);
                        using var doc = await ledger.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Post, $"{FileUrl(code)}/documents") { Content = Json(new { subject = "Văn bản riêng", typeName = "Tờ trình" }) }, ct);
                        if (await ledger.CheckAsync(doc, "add document", ct))
                        {
                            own.Add(code);
                        }
                    }
                }
                else
                {
                    // Search, with and without diacritics.
                    var q = random.Next(3) switch { 0 => "hồ sơ dùng chung", 1 => "ho so dung chung", _ => "máy " + random.Next(200).ToString(CultureInfo.InvariantCulture) };
                    using var response = await ledger.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Get, $"{Prefix}/search?q={Uri.EscapeDataString(q)}&pageSize=20"), ct);
                    if (await ledger.CheckAsync(response, "search", ct))
                    {
                        Interlocked.Increment(ref ledger.Searches);
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
            {
                ledger.Errors.Enqueue($"client {client}: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static int Version(HttpResponseMessage response)
        => int.Parse(response.Headers.ETag!.Tag.Trim('"').TrimStart('v'), CultureInfo.InvariantCulture);

    private static object RecordFile(string notation, string title, int year = 2022) => new
    {
        fondsCode = DrillEngine.FondsCode,
        fileCatalog = year,
        fileNotation = notation,
        title,
        maintenance = "10y",
        startDate = $"{year}-01-05",
        endDate = $"{year}-12-20",
    };

    private static string FileUrl(string fileCode) => $"{Prefix}/record-files/{Uri.EscapeDataString(fileCode)}";

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonNode> Expect(Task<HttpResponseMessage> call, int status)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private sealed class Ledger
    {
        public long UploadBytes;
        public long Conflicts;
        public long Searches;
        private long _requests;

        public ConcurrentBag<(string Code, string Name, string Sha, int Version)> Uploads { get; } = [];

        public ConcurrentBag<(string Code, string Title, int Version)> Updates { get; } = [];

        public ConcurrentBag<string> Creates { get; } = [];

        public ConcurrentQueue<string> Errors { get; } = new();

        public ConcurrentBag<double> Latencies { get; } = [];

        public long Requests => Interlocked.Read(ref _requests);

        public async Task<HttpResponseMessage> SendAsync(HttpClient http, Func<HttpRequestMessage> request, CancellationToken ct)
        {
            var started = Stopwatch.GetTimestamp();
            using var message = request();
            var response = await http.SendAsync(message, ct);
            Latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Interlocked.Increment(ref _requests);
            return response;
        }

        /// <summary>True for 2xx; anything else but an expected 412 is an error.</summary>
        public async Task<bool> CheckAsync(HttpResponseMessage response, string what, CancellationToken ct)
        {
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            var body = await response.Content.ReadAsStringAsync(ct);
            Errors.Enqueue($"{what}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
            return false;
        }

        public double Percentile(double p)
        {
            var sorted = Latencies.Order().ToArray();
            return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        }
    }

    /// <summary>The standalone server (Archive.Server's Program) on Kestrel, loopback, with an administrator API key.</summary>
    private sealed class KestrelHost(string dataPath, string apiKey) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Archive:DataPath", dataPath);
            builder.UseSetting("Urls", "http://127.0.0.1:0");
            builder.UseSetting("Archive:Auth:ApiKeys:0:Name", "drills");
            builder.UseSetting("Archive:Auth:ApiKeys:0:KeyHash", DrillEngine.Sha256(Encoding.UTF8.GetBytes(apiKey)));
            builder.UseSetting("Archive:Auth:ApiKeys:0:Roles", "administrator");
            builder.UseSetting("Archive:Auth:ApiKeys:0:Clearance", "secret");
            builder.UseSetting("Archive:Api:RequestsPerMinute", "0"); // one key for 200 clients: the per-client limit is not under test
            builder.UseSetting("Logging:LogLevel:Default", "Warning"); // 412s are logged at Information: keep the console quiet
            builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        }
    }
}
