using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Archive.Api.Tests.Support;
using Archive.Security;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// The answers the framework writes itself (authentication challenge and forbid, routing's 404 and 405, body limits,
/// media types, the rate limiter) are RFC 9457 problems with the archive's type, rule and errors, and keep the
/// headers that go with them (WWW-Authenticate, Allow, Retry-After). Kestrel's own 400 for a malformed request line
/// is written before any middleware runs and cannot be shaped: <see cref="Kestrel_refuses_a_nul_in_the_path_before_the_application_with_an_empty_400"/>
/// pins that down.
/// </summary>
public sealed class FrameworkProblemTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    /// <summary>Asserts an archive problem: media type, status, type, the rule in errors, trace id, instance.</summary>
    private static async Task<JsonNode> ExpectFrameworkProblemAsync(HttpResponseMessage response, int status, string type, string field, string rule)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.Equal("urn:archive:problem:" + type, (string?)problem["type"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]));
        Assert.NotNull(problem["traceId"]);
        var errors = problem["errors"]!.AsArray();
        Assert.Contains(errors, e => (string?)e!["field"] == field && (string?)e["rule"] == rule && !string.IsNullOrWhiteSpace((string?)e["message"]));
        return problem;
    }

    [Fact]
    public async Task A_call_without_credentials_gets_a_401_problem_and_the_challenge()
    {
        using var response = await factory.CreateAnonymousClient().PostAsync($"{P}/agencies", Json(new { id = "000.00.00.H01", name = "x" }), Ct);
        await ExpectFrameworkProblemAsync(response, 401, "authentication", "credentials", "authentication.required");
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task A_rejected_key_gets_a_401_problem_saying_it_was_not_accepted()
    {
        using var response = await factory.CreateClientWithKey("ak_not-a-key").GetAsync($"{P}/agencies", Ct);
        var problem = await ExpectFrameworkProblemAsync(response, 401, "authentication", "credentials", "authentication.failed");
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ak_not-a-key", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_without_the_role_gets_a_403_problem_naming_the_policy()
    {
        using var response = await factory.CreateClientFor(ArchiveRoles.Researcher).PostAsync($"{P}/agencies", Json(new { id = "000.00.00.H01", name = "x" }), Ct);
        var problem = await ExpectFrameworkProblemAsync(response, 403, "forbidden", "role", "authorization.role");
        Assert.Contains("archive.manage", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_no_endpoint_serves_gets_a_404_problem()
    {
        using var response = await factory.CreateClient().GetAsync($"{P}/no-such-thing/at-all", Ct);
        var problem = await ExpectFrameworkProblemAsync(response, 404, "not-found", "path", "route.not-found");
        Assert.Equal($"{P}/no-such-thing/at-all", (string?)problem["instance"]);
    }

    [Fact]
    public async Task A_method_the_route_does_not_take_gets_a_405_problem_with_Allow()
    {
        using var response = await factory.CreateClient().DeleteAsync($"{P}/agencies", Ct);
        await ExpectFrameworkProblemAsync(response, 405, "method-not-allowed", "method", "method.not-allowed");
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_json_body_over_the_limit_gets_a_413_problem_declared_or_streamed()
    {
        var big = "{\"id\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        using var declared = await factory.CreateClient().PostAsync($"{P}/agencies", new StringContent(big, Encoding.UTF8, "application/json"), Ct);
        var problem = await ExpectFrameworkProblemAsync(declared, 413, "too-large", "body", "content.too-large");
        Assert.NotNull(problem["limit"]);

        // Without Content-Length (chunked), the limit is met while reading.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{P}/agencies") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await factory.CreateClient().SendAsync(request, Ct);
        await ExpectFrameworkProblemAsync(streamed, 413, "too-large", "body", "content.too-large");
    }

    [Fact]
    public async Task A_body_of_the_wrong_media_type_gets_a_415_problem()
    {
        using var response = await factory.CreateClient().PostAsync($"{P}/agencies", new StringContent("id=1", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        await ExpectFrameworkProblemAsync(response, 415, "request", "Content-Type", "media-type.json-required");
    }

    [Fact]
    public async Task A_missing_required_member_is_named_as_the_field()
    {
        using var response = await factory.CreateClient().PostAsync($"{P}/agencies", RawJson("""{"id": "000.00.00.H03"}"""), Ct);
        await ExpectFrameworkProblemAsync(response, 400, "request", "name", "json.required");
    }

    /// <summary>
    /// Kestrel answers a request line it cannot parse (here a NUL, raw or percent-encoded, in the path) with a bare
    /// 400, <c>Content-Length: 0</c> and <c>Connection: close</c>, before any middleware runs: the application never
    /// sees the request, so no problem body can be written (docs/api.md says so). This pins the behaviour down on a
    /// real server: if a Kestrel update ever lets the application shape it, this test says so.
    /// </summary>
    [Fact]
    public async Task Kestrel_refuses_a_nul_in_the_path_before_the_application_with_an_empty_400()
    {
        var data = Path.Combine(Path.GetTempPath(), "archive-api-tests", "kestrel-" + Guid.NewGuid().ToString("N"));
        await using var server = await ServerProcess.StartAsync(data, new Dictionary<string, string>(), Ct);
        var uri = new Uri(server.BaseUrl);
        foreach (var line in new[] { "GET /api/agencies/a%00b HTTP/1.1", "GET /api/agencies/a\0b HTTP/1.1" })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(uri.Host, uri.Port, Ct);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.Latin1.GetBytes(line + "\r\nHost: archive\r\nAccept: application/json\r\n\r\n"), Ct);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            var answer = await reader.ReadToEndAsync(Ct);
            Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
            Assert.Contains("\r\nContent-Length: 0\r\n", answer, StringComparison.Ordinal);
            Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("problem", answer, StringComparison.Ordinal);
        }

        // The same server shapes what reaches the application.
        using var http = new HttpClient();
        using var unknown = await http.GetAsync(server.BaseUrl + "/api/no-such-thing", Ct);
        await ExpectFrameworkProblemAsync(unknown, 404, "not-found", "path", "route.not-found");
    }
}

/// <summary>The rate limiter's 429 is an archive problem with Retry-After.</summary>
public sealed class RateLimitProblemTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    [Fact]
    public async Task The_rate_limiter_answers_a_429_problem_with_Retry_After()
    {
        var client = factory.CreateClient();
        HttpResponseMessage? last = null;
        for (var i = 0; i <= RateLimitedApiFactory.Limit; i++)
        {
            last?.Dispose();
            last = await client.GetAsync($"{ApiFactory.Prefix}/agencies", Ct);
        }

        using var response = last!;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal("urn:archive:problem:rate-limit", (string?)problem["type"]);
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["rule"] == "rate-limit");
    }
}
