using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Archive.Api.Security;
using Archive.Security;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Archive.Api.Tests.Support;

/// <summary>
/// The standalone host (Archive.Server's Program: AddArchive + AddArchiveApi + MapArchive at /api) on the embedded
/// defaults in a temporary data folder, served in memory by WebApplicationFactory. Authentication is the server's
/// own: <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> gives a client that sends a configured API key
/// of an administrator with secret clearance (<see cref="AdminKeyName"/>), <see cref="CreateClientFor"/> a client
/// with a JWT bearer token signed by this factory's key for any role, agencies and clearance, and
/// <see cref="CreateAnonymousClient"/> one without credentials.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Prefix = "/api";

    /// <summary>Name of the default client's API key (recorded as the user of its changes).</summary>
    public const string AdminKeyName = "test-admin";

    public const string JwtIssuer = "https://id.archive.test";

    public const string JwtAudience = "archive-api-tests";

    public ApiFactory()
    {
        DataPath = Path.Combine(Path.GetTempPath(), "archive-api-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataPath);
        AdminKey = ApiKeyStore.NewKey();
        SigningKey = RandomNumberGenerator.GetBytes(32);
    }

    public string DataPath { get; }

    /// <summary>The default client's API key (configured by hash only).</summary>
    public string AdminKey { get; }

    /// <summary>The symmetric key JWTs are signed with (configured as Archive:Auth:Jwt:SigningKeys:0).</summary>
    public byte[] SigningKey { get; }

    /// <summary>Requests per minute per client (0 = no limit, the default here so tests are not throttled).</summary>
    protected virtual int RequestsPerMinute => 0;

    /// <summary>Failed authentications per address before the lockout (high by default: every test client shares one address).</summary>
    protected virtual int MaxFailedAuthentications => 100_000;

    /// <summary>Archive:Api:AnonymousReadingRoom, or null for the server's default (true).</summary>
    protected virtual bool? AnonymousReadingRoom => null;

    /// <summary>Upload limit of this host (bytes); the default is the engine's.</summary>
    protected virtual long? MaxUploadBytes => null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Archive:DataPath", DataPath);
        if (MaxUploadBytes is { } max)
        {
            builder.UseSetting("Archive:MaxUploadBytes", max.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        builder.UseSetting("Archive:Auth:ApiKeys:0:Name", AdminKeyName);
        builder.UseSetting("Archive:Auth:ApiKeys:0:KeyHash", ApiKeyStore.Hash(AdminKey));
        builder.UseSetting("Archive:Auth:ApiKeys:0:Roles", ArchiveRoles.Administrator);
        builder.UseSetting("Archive:Auth:ApiKeys:0:Clearance", ArchiveClaims.SecretClearance);
        builder.UseSetting("Archive:Auth:Jwt:Issuer", JwtIssuer);
        builder.UseSetting("Archive:Auth:Jwt:Audience", JwtAudience);
        builder.UseSetting("Archive:Auth:Jwt:SigningKeys:0", Convert.ToBase64String(SigningKey));
        builder.UseSetting("Archive:Auth:MaxFailedAuthentications", MaxFailedAuthentications.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Archive:Api:RequestsPerMinute", RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (AnonymousReadingRoom is { } anonymous)
        {
            builder.UseSetting("Archive:Api:AnonymousReadingRoom", anonymous ? "true" : "false");
        }

        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        if (WaitForProjectionBeforeSearch)
        {
            builder.ConfigureServices(s => s.AddTransient<IStartupFilter, ProjectedSearchFilter>());
        }
    }

    /// <summary>
    /// Whether a search request first waits (on the engine's signal, <c>RecordFileService.WaitForProjectionAsync</c>)
    /// until every change acknowledged before it is projected: writes are searchable shortly after their commit (#23),
    /// and tests that search what they just wrote rely on it. Tests of the projection state itself turn it off.
    /// </summary>
    protected virtual bool WaitForProjectionBeforeSearch => true;

    private sealed class ProjectedSearchFilter : IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (Microsoft.AspNetCore.Http.HttpContext context, Func<Task> nextMiddleware) =>
            {
                if (context.Request.Path.Value?.Contains("search", StringComparison.OrdinalIgnoreCase) == true)
                {
                    await context.RequestServices.GetRequiredService<Archive.Records.RecordFileService>().WaitForProjectionAsync(TimeSpan.FromSeconds(30), context.RequestAborted);
                }

                await nextMiddleware();
            });
            next(app);
        };
    }

    /// <summary>Every client this factory creates sends the administrator's API key unless told otherwise.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(ArchiveAuthenticationDefaultsHeader, AdminKey);
    }

    private const string ArchiveAuthenticationDefaultsHeader = "X-Api-Key";

    /// <summary>A client without credentials.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Remove(ArchiveAuthenticationDefaultsHeader);
        return client;
    }

    /// <summary>A client with a bearer token for <paramref name="role"/> (null: no role), <paramref name="agencies"/> and clearance.</summary>
    public HttpClient CreateClientFor(string? role, IEnumerable<string>? agencies = null, bool clearance = false, string? name = null)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CreateToken(role, agencies, clearance, name));
        return client;
    }

    /// <summary>A client sending <paramref name="apiKey"/>.</summary>
    public HttpClient CreateClientWithKey(string apiKey)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(ArchiveAuthenticationDefaultsHeader, apiKey);
        return client;
    }

    /// <summary>A JWT signed with <see cref="SigningKey"/> (or <paramref name="signingKey"/>).</summary>
    public string CreateToken(string? role, IEnumerable<string>? agencies = null, bool clearance = false, string? name = null,
        DateTime? expires = null, string? audience = null, byte[]? signingKey = null, string? issuer = null)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["sub"] = name ?? (role ?? "nobody") + "-" + Guid.NewGuid().ToString("N")[..6],
            ["name"] = name ?? (role ?? "nobody") + " user",
        };
        if (role is not null)
        {
            claims[ArchiveClaims.Role] = role;
        }

        var agencyList = agencies?.ToArray() ?? [];
        if (agencyList.Length == 1)
        {
            claims[ArchiveClaims.Agency] = agencyList[0];
        }
        else if (agencyList.Length > 1)
        {
            claims[ArchiveClaims.Agency] = agencyList;
        }

        if (clearance)
        {
            claims[ArchiveClaims.Clearance] = ArchiveClaims.SecretClearance;
        }

        var now = DateTime.UtcNow;
        var exp = expires ?? now.AddMinutes(30);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? JwtIssuer,
            Audience = audience ?? JwtAudience,
            Claims = claims,
            IssuedAt = exp < now ? exp.AddMinutes(-10) : now,
            NotBefore = exp < now ? exp.AddMinutes(-10) : now,
            Expires = exp,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey ?? SigningKey), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Skips (locally) or fails (CI) when the host's backing server is absent; the embedded defaults need none.</summary>
    public virtual void RequireServer()
    {
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// The audit trail (and the file store's sidecars of it) grows with every request, refused ones included — that is
    /// its job; "nothing changed" is about the records, so it is left out of the digest.
    /// </summary>
    public static bool IsAuditTrail(string key)
        => key.StartsWith("audit/", StringComparison.Ordinal)
            || key.StartsWith("objects/audit/", StringComparison.Ordinal)
            || key.StartsWith(".meta/audit/", StringComparison.Ordinal);

    /// <summary>
    /// Waits (on the engine's signal) until the changes acknowledged so far are projected and their pending flags
    /// cleared, so that a digest taken before and after a refused request sees the same bookkeeping (#23).
    /// </summary>
    protected void WaitForProjection()
        => Services.GetRequiredService<Archive.Records.RecordFileService>().WaitForProjectionAsync(TimeSpan.FromSeconds(30)).AsTask().GetAwaiter().GetResult();

    /// <summary>Every stored file under the object store (path, length, SHA-256): equal before and after means nothing changed.</summary>
    public virtual string StoreDigest()
    {
        WaitForProjection();
        var root = Path.Combine(DataPath, "store");
        var sb = new StringBuilder();
        if (Directory.Exists(root))
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(root, file);
                if (relative.StartsWith(".staging", StringComparison.Ordinal) || IsAuditTrail(relative.Replace('\\', '/')))
                {
                    continue; // the store's own lock and staging files
                }

                sb.Append(Path.GetRelativePath(root, file)).Append(' ').Append(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)))).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Files left in the upload spool folder.</summary>
    public int SpoolFiles()
    {
        var tmp = Path.Combine(DataPath, "tmp");
        return Directory.Exists(tmp) ? Directory.EnumerateFiles(tmp).Count() : 0;
    }
}

/// <summary>A host with a small upload limit (64 KiB).</summary>
public sealed class SmallUploadApiFactory : ApiFactory
{
    public const long Limit = 64 * 1024;

    protected override long? MaxUploadBytes => Limit;
}

/// <summary>HTTP helpers for the tests.</summary>
public static class Api
{
    private static int _counter;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh QCVN-shaped agency identifier (the last group varies), so tests sharing a host do not collide.</summary>
    public static string NewAgencyId()
    {
        var n = Interlocked.Increment(ref _counter) + (Environment.ProcessId % 50) * 100;
        return $"000.00.{(n / 100 % 100):D2}.G{(n % 100):D2}";
    }

    public static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public static StringContent RawJson(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A <c>POST /record-files/import</c> body: the JSON manifest part, then the named content parts.</summary>
    public static MultipartFormDataContent ImportBody(object manifest, params (string Part, byte[] Bytes, string MediaType)[] parts)
        => MultipartBody("manifest", manifest, parts);

    /// <summary>A multipart upload body: the JSON part named <paramref name="jsonPart"/>, then the named content parts.</summary>
    public static MultipartFormDataContent MultipartBody(string jsonPart, object manifest, params (string Part, byte[] Bytes, string MediaType)[] parts)
    {
        var body = new MultipartFormDataContent { { Json(manifest), jsonPart } };
        foreach (var (part, bytes, mediaType) in parts)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
            body.Add(content, part, part + ".bin");
        }

        return body;
    }

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("null JSON");
    }

    public static async Task<JsonNode> ExpectAsync(this Task<HttpResponseMessage> call, int status)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        return string.IsNullOrEmpty(text) ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>Asserts a problem response with the status and a broken rule (field, rule).</summary>
    public static async Task<JsonNode> ExpectProblemAsync(this Task<HttpResponseMessage> call, int status, string? field = null, string? rule = null)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        Assert.NotNull(problem["traceId"]);
        if (field is not null || rule is not null)
        {
            var errors = problem["errors"]!.AsArray();
            Assert.True(
                errors.Any(e => (field is null || (string?)e!["field"] == field) && (rule is null || (string?)e!["rule"] == rule)),
                $"Expected an error field={field} rule={rule} in {errors.ToJsonString()}");
        }

        return problem;
    }

    public static Task<HttpResponseMessage> PutWithIfMatch(this HttpClient client, string url, HttpContent content, string? etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = content };
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", etag);
        }

        return client.SendAsync(request, Ct);
    }

    /// <summary>Registers an agency and its fonds; returns (agencyId, fondsCode).</summary>
    public static async Task<(string AgencyId, string FondsCode)> SeedAsync(HttpClient client, string name = "Bộ Nội vụ")
    {
        var agencyId = NewAgencyId();
        var fondsCode = "P-" + agencyId.Replace(".", string.Empty, StringComparison.Ordinal);
        await client.PostAsync($"{ApiFactory.Prefix}/agencies", Json(new { id = agencyId, name }), Ct).ExpectAsync(201);
        await client.PostAsync($"{ApiFactory.Prefix}/fonds", Json(new { code = fondsCode, name = "Phông " + name, agencyId }), Ct).ExpectAsync(201);
        return (agencyId, fondsCode);
    }

    public static object RecordFile(string fondsCode, string notation = "01.TCCB", int year = 2015, string maintenance = "10y", string title = "Hồ sơ tuyển dụng công chức", string? rights = null)
        => rights is null
            ? new { fondsCode, fileCatalog = year, fileNotation = notation, title, maintenance, startDate = $"{year}-01-05", endDate = $"{year}-12-20" }
            : new { fondsCode, fileCatalog = year, fileNotation = notation, title, maintenance, startDate = $"{year}-01-05", endDate = $"{year}-12-20", rights };

    /// <summary>Creates a record file; returns its file code.</summary>
    public static async Task<string> CreateRecordFileAsync(HttpClient client, string fondsCode, string notation = "01.TCCB", int year = 2015, string maintenance = "10y", string? rights = null)
    {
        var created = await client.PostAsync($"{ApiFactory.Prefix}/record-files", Json(RecordFile(fondsCode, notation, year, maintenance, rights: rights)), Ct).ExpectAsync(201);
        return (string)created["fileCode"]!;
    }

    public static string FileUrl(string fileCode) => $"{ApiFactory.Prefix}/record-files/{Uri.EscapeDataString(fileCode)}";

    public static string ContentUrl(string fileCode, int ordinal, string name)
        => $"{FileUrl(fileCode)}/documents/{ordinal}/contents/{Uri.EscapeDataString(name)}";

    public static ByteArrayContent Bytes(byte[] data, string mediaType = "application/octet-stream")
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    public static async Task<string> ETagAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, Ct);
        Assert.Equal(200, (int)response.StatusCode);
        return response.Headers.ETag!.ToString();
    }

    public static async Task<T> ReadAsAsync<T>(this HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<T>(Ct))!;
}
