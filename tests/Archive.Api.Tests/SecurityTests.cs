using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Archive.Api.Security;
using Archive.Security;
using Archive.Api.Tests.Support;
using Archive.Audit;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>Secret records do not leak through any side channel; agency scope; researchers.</summary>
public sealed class SecretSideChannelTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task Secret_records_leak_through_no_side_channel_without_clearance_and_scope()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin, "Công an tỉnh");
        var (otherAgency, _) = await SeedAsync(admin, "Sở Tài chính");
        var open = await CreateRecordFileAsync(admin, fondsCode, "01.CV", year: 2001);
        var secret = await CreateRecordFileAsync(admin, fondsCode, "02.MAT", year: 2001, maintenance: "5y", rights: "Secret");
        await admin.PostAsync($"{FileUrl(secret)}/documents", Json(new { subject = "Kế hoạch Xuyênsơn bảo vệ mục tiêu" }), Ct).ExpectAsync(201);
        await admin.PutAsync(ContentUrl(secret, 1, "mat.txt"), Bytes("Xuyênsơn tuyệt mật"u8.ToArray(), "text/plain"), Ct).ExpectAsync(200);
        var etag = await ETagAsync(admin, ContentUrl(secret, 1, "mat.txt"));
        await admin.PostAsync($"{FileUrl(open)}/documents", Json(new { subject = "Công văn thường" }), Ct).ExpectAsync(201);

        // With clearance and scope, the secret file is visible everywhere.
        using var cleared = factory.CreateClientFor(ArchiveRoles.Archivist, [agencyId], clearance: true);
        var seen = await cleared.GetAsync($"{P}/search?q=xuyenson&consistent=true", Ct).ExpectAsync(200);
        Assert.True((long)seen["total"]! >= 1);
        await cleared.GetAsync(FileUrl(secret), Ct).ExpectAsync(200);
        var due = await cleared.GetAsync($"{P}/retention/due/appraisal?asOf=2100-01-01&agencyId={agencyId}", Ct).ExpectAsync(200);
        Assert.Contains(due["due"]!.AsArray(), i => (string?)i!["fileCode"] == secret);

        // Without clearance (same agency), or with clearance in another agency: nothing, not even counted.
        foreach (var client in new[]
        {
            factory.CreateClientFor(ArchiveRoles.Archivist, [agencyId]),
            factory.CreateClientFor(ArchiveRoles.Clerk, [otherAgency], clearance: true),
            factory.CreateClientFor(ArchiveRoles.Supervisor),
            factory.CreateClientFor(ArchiveRoles.Researcher, clearance: true),
            factory.CreateAnonymousClient(),
        })
        {
            using (client)
            {
                var hits = await client.GetAsync($"{P}/search?q=xuyenson&highlight=true&consistent=true", Ct).ExpectAsync(200);
                Assert.Equal(0, (long)hits["total"]!);
                Assert.Empty(hits["hits"]!.AsArray());
                Assert.DoesNotContain("Xuyên", hits.ToJsonString(), StringComparison.OrdinalIgnoreCase);

                var facets = await client.GetAsync($"{P}/search?filter=agency:{agencyId}&facet=access&facet=fileCode&facet=retention&consistent=true", Ct).ExpectAsync(200);
                var text = facets.ToJsonString();
                Assert.DoesNotContain("Secret", text, StringComparison.Ordinal);
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
                Assert.DoesNotContain("5y", text, StringComparison.Ordinal);

                await client.GetAsync(FileUrl(secret), Ct).ExpectProblemAsync(404);
                await client.GetAsync($"{FileUrl(secret)}/history", Ct).ExpectProblemAsync(404);
                await client.GetAsync($"{FileUrl(secret)}/versions/1", Ct).ExpectProblemAsync(404);
                await client.GetAsync($"{FileUrl(secret)}/documents/1", Ct).ExpectProblemAsync(404);
                await client.GetAsync($"{FileUrl(secret)}/fixity", Ct).ExpectProblemAsync(404);
                await client.GetAsync(ContentUrl(secret, 1, "mat.txt"), Ct).ExpectProblemAsync(404);
                await client.GetAsync(ContentUrl(secret, 1, "nothing.txt"), Ct).ExpectProblemAsync(404); // same answer as an existing content

                using var conditional = new HttpRequestMessage(HttpMethod.Get, ContentUrl(secret, 1, "mat.txt"));
                conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
                using (var notModified = await client.SendAsync(conditional, Ct))
                {
                    Assert.Equal(404, (int)notModified.StatusCode); // not 304: the ETag does not confirm existence
                }

                var list = await client.GetAsync($"{P}/record-files?agencyId={agencyId}", Ct).ExpectAsync(200);
                Assert.DoesNotContain(list["items"]!.AsArray(), i => (string?)i!["fileCode"] == secret);
                foreach (var kind in new[] { "appraisal", "transfer" })
                {
                    var dueList = await client.GetAsync($"{P}/retention/due/{kind}?asOf=2100-01-01&agencyId={agencyId}", Ct).ExpectAsync(200);
                    Assert.DoesNotContain(secret, dueList.ToJsonString(), StringComparison.Ordinal);
                }

                var nonArchival = await client.GetAsync($"{P}/non-archival?agencyId={agencyId}", Ct).ExpectAsync(200);
                Assert.DoesNotContain(secret, nonArchival.ToJsonString(), StringComparison.Ordinal);
            }
        }

        // A missing file answers exactly like the secret one (no existence oracle).
        using var outsider = factory.CreateClientFor(ArchiveRoles.Clerk, [otherAgency]);
        var missing = await outsider.GetAsync(FileUrl(secret.Replace("02.MAT", "99.XYZ", StringComparison.Ordinal)), Ct).ExpectProblemAsync(404);
        var hidden = await outsider.GetAsync(FileUrl(secret), Ct).ExpectProblemAsync(404);
        Assert.Equal((string?)missing["title"], (string?)hidden["title"]);
    }

    [Fact]
    public async Task Agency_staff_see_and_change_only_their_agencys_fonds_and_supervisors_read_across()
    {
        var admin = factory.CreateClient();
        var a = await AuthorizationMatrixTests.SeedWithFileAsync(admin, "Sở Xây dựng");
        var b = await AuthorizationMatrixTests.SeedWithFileAsync(admin, "Sở Công Thương");

        using var clerkA = factory.CreateClientFor(ArchiveRoles.Clerk, [a.AgencyId]);
        await clerkA.GetAsync(FileUrl(a.FileCode), Ct).ExpectAsync(200);
        await clerkA.GetAsync(FileUrl(b.FileCode), Ct).ExpectProblemAsync(404);
        await clerkA.PostAsync($"{FileUrl(a.FileCode)}/documents", Json(new { subject = "Tờ trình" }), Ct).ExpectAsync(201);
        await clerkA.PostAsync($"{FileUrl(b.FileCode)}/documents", Json(new { subject = "Tờ trình" }), Ct).ExpectProblemAsync(404);
        await clerkA.PostAsync($"{P}/record-files", Json(RecordFile(b.FondsCode, "05.KH")), Ct).ExpectProblemAsync(403, "fondsCode", "scope.agency");
        await clerkA.PostAsync($"{P}/record-files", Json(RecordFile(a.FondsCode, "05.KH")), Ct).ExpectAsync(201);

        var list = await clerkA.GetAsync($"{P}/record-files", Ct).ExpectAsync(200);
        Assert.All(list["items"]!.AsArray(), i => Assert.Equal(a.FondsCode, (string?)i!["fondsCode"]));
        var search = await clerkA.GetAsync($"{P}/search?facet=fonds&consistent=true", Ct).ExpectAsync(200);
        var fondsFacet = search["facets"]!["fonds"]!.AsArray();
        Assert.Single(fondsFacet);
        Assert.Equal(a.FondsCode, (string?)fondsFacet[0]!["value"]);

        using var supervisor = factory.CreateClientFor(ArchiveRoles.Supervisor);
        await supervisor.GetAsync(FileUrl(b.FileCode), Ct).ExpectAsync(200);
        using (var content = await supervisor.GetAsync(ContentUrl(b.FileCode, b.DocOrdinal, "a.txt"), Ct))
        {
            Assert.Equal(200, (int)content.StatusCode);
        }

        await supervisor.PostAsync($"{FileUrl(b.FileCode)}/documents", Json(new { subject = "x" }), Ct).ExpectProblemAsync(403);
        var across = await supervisor.GetAsync($"{P}/search?filter=fonds:{b.FondsCode}&consistent=true", Ct).ExpectAsync(200);
        Assert.True((long)across["total"]! >= 1);

        using var headB = factory.CreateClientFor(ArchiveRoles.AgencyHead, [b.AgencyId]);
        await headB.PutAsync($"{P}/agencies/{a.AgencyId}/retention-schedule", RawJson("{}"), Ct).ExpectProblemAsync(403, "agencyId", "scope.agency");

        // Researchers see only accessioned, public files: none here.
        using var researcher = factory.CreateClientFor(ArchiveRoles.Researcher);
        await researcher.GetAsync(FileUrl(a.FileCode), Ct).ExpectProblemAsync(404);
        var rs = await researcher.GetAsync($"{P}/search?facet=fonds&consistent=true", Ct).ExpectAsync(200);
        Assert.Equal(0, (long)rs["total"]!);
    }
}

/// <summary>JWT bearer, API keys, anonymous callers.</summary>
public sealed class AuthenticationTests(AuditedApiFactory factory) : IClassFixture<AuditedApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task Jwt_bearer_tokens_are_validated_for_signature_expiry_audience_and_issuer()
    {
        async Task<int> StatusWith(string token)
        {
            using var client = factory.CreateAnonymousClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync($"{P}/agencies", Ct);
            return (int)response.StatusCode;
        }

        Assert.Equal(200, await StatusWith(factory.CreateToken(ArchiveRoles.Clerk, ["000.00.00.H01"])));
        Assert.Equal(401, await StatusWith(factory.CreateToken(ArchiveRoles.Clerk, expires: DateTime.UtcNow.AddMinutes(-5))));
        Assert.Equal(401, await StatusWith(factory.CreateToken(ArchiveRoles.Clerk, audience: "another-api")));
        Assert.Equal(401, await StatusWith(factory.CreateToken(ArchiveRoles.Clerk, issuer: "https://evil.example")));
        Assert.Equal(401, await StatusWith(factory.CreateToken(ArchiveRoles.Clerk, signingKey: RandomNumberGenerator.GetBytes(32))));
        Assert.Equal(401, await StatusWith("not-a-token"));
        Assert.Equal(403, await StatusWith(factory.CreateToken(null))); // authenticated, but no role

        var failures = factory.Audit.Events.Where(e => e.Action == AuditActions.AuthenticationFailed && e.ObjectId == "Bearer").ToList();
        Assert.True(failures.Count >= 5);
        Assert.All(failures, e => Assert.Equal(AuditedApiFactory.ClientAddress, e.ClientAddress));
        Assert.Contains(failures, e => e.Detail == "expired token");
        Assert.Contains(failures, e => e.Detail == "wrong audience");
    }

    [Fact]
    public async Task Api_keys_are_created_once_stored_hashed_used_and_revoked()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin, "Sở Nội vụ");
        var created = await admin.PostAsync($"{P}/api-keys", Json(new { name = "e-office", roles = new[] { "clerk" }, agencies = new[] { agencyId } }), Ct).ExpectAsync(201);
        var key = (string)created["key"]!;
        var id = (string)created["id"]!;
        Assert.StartsWith("ak_", key, StringComparison.Ordinal);

        // Stored as its SHA-256 only.
        static string Read(string path)
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (IOException)
            {
                return string.Empty;
            }
        }

        var stored = Directory.EnumerateFiles(Path.Combine(factory.DataPath, "store"), "*", SearchOption.AllDirectories)
            .Where(f => Read(f).Contains(id, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(stored);
        Assert.All(stored, f => Assert.DoesNotContain(key, Read(f), StringComparison.Ordinal));
        Assert.Contains(stored, f => Read(f).Contains(ApiKeyStore.Hash(key), StringComparison.Ordinal));

        using var clerk = factory.CreateClientWithKey(key);
        var fileCode = await CreateRecordFileAsync(clerk, fondsCode, "03.VT");
        var history = (await clerk.GetAsync($"{FileUrl(fileCode)}/history", Ct).ExpectAsync(200)).AsArray();
        Assert.Equal("e-office", (string?)history[0]!["userName"]);
        await clerk.PostAsync($"{P}/agencies", Json(new { id = NewAgencyId(), name = "x" }), Ct).ExpectProblemAsync(403); // Manage
        await clerk.GetAsync($"{P}/api-keys", Ct).ExpectProblemAsync(403); // Admin

        var list = await admin.GetAsync($"{P}/api-keys", Ct).ExpectAsync(200);
        Assert.Contains(list.AsArray(), k => (string?)k!["id"] == id && k["key"] is null);
        Assert.DoesNotContain(key, list.ToJsonString(), StringComparison.Ordinal);

        var revoked = await admin.DeleteAsync($"{P}/api-keys/{id}", Ct).ExpectAsync(200);
        Assert.NotNull(revoked["revokedAt"]);
        await clerk.GetAsync($"{P}/agencies", Ct).ExpectProblemAsync(401);
        await admin.DeleteAsync($"{P}/api-keys/0123456789abcdef", Ct).ExpectProblemAsync(404);
        await admin.PostAsync($"{P}/api-keys", Json(new { name = "bad", roles = new[] { "king" } }), Ct).ExpectProblemAsync(422, "roles", "apikey.roles");

        var failure = factory.Audit.Events.Last(e => e.Action == AuditActions.AuthenticationFailed && e.ObjectId == "ApiKey");
        Assert.Equal(AuditOutcome.Denied, failure.Outcome);
        Assert.Equal(AuditedApiFactory.ClientAddress, failure.ClientAddress);
        Assert.DoesNotContain(factory.Audit.Events, e => (e.Detail ?? string.Empty).Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Content_and_record_reads_searches_and_denials_are_audited()
    {
        var admin = factory.CreateClient();
        var t = await AuthorizationMatrixTests.SeedWithFileAsync(admin, "Sở Giáo dục");
        using var clerk = factory.CreateClientFor(ArchiveRoles.Clerk, [t.AgencyId], name: "Lê Văn Cường");
        using (var content = await clerk.GetAsync(ContentUrl(t.FileCode, t.DocOrdinal, "a.txt"), Ct))
        {
            Assert.Equal(200, (int)content.StatusCode);
        }

        await clerk.GetAsync(FileUrl(t.FileCode), Ct).ExpectAsync(200);
        await clerk.GetAsync($"{P}/search?q=tuyển", Ct).ExpectAsync(200);
        await clerk.PostAsync($"{P}/jobs/reindex", null, Ct).ExpectProblemAsync(403);

        var events = factory.Audit.Events.Where(e => e.Actor == "Lê Văn Cường").ToList();
        var read = Assert.Single(events, e => e.Action == AuditActions.ContentRead);
        Assert.Equal($"{t.FileCode}/{t.DocOrdinal}/a.txt", read.ObjectId);
        Assert.Equal(t.AgencyId, read.ActorAgencyId);
        Assert.Equal(AuditedApiFactory.ClientAddress, read.ClientAddress);
        Assert.Contains(events, e => e.Action == AuditActions.RecordRead && e.ObjectId == t.FileCode);
        Assert.Contains(events, e => e.Action == AuditActions.Search && e.Detail!.Contains("tuyển", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Action == AuditActions.AccessDenied && e.Outcome == AuditOutcome.Denied);
    }

    [Fact]
    public async Task Anonymous_readers_get_the_reading_room_only()
    {
        using var anonymous = factory.CreateAnonymousClient();
        var list = await anonymous.GetAsync($"{P}/record-files", Ct).ExpectAsync(200);
        Assert.Empty(list["items"]!.AsArray()); // nothing is accessioned
        await anonymous.PostAsync($"{P}/agencies", Json(new { id = NewAgencyId(), name = "x" }), Ct).ExpectProblemAsync(401);
        await anonymous.PostAsync($"{P}/jobs/reindex", null, Ct).ExpectProblemAsync(401);
        using var health = await anonymous.GetAsync("/health", Ct);
        Assert.Equal(200, (int)health.StatusCode);
    }
}

public sealed class ClosedReadingRoomTests(ClosedReadingRoomApiFactory factory) : IClassFixture<ClosedReadingRoomApiFactory>
{
    [Fact]
    public async Task Without_the_anonymous_reading_room_every_endpoint_needs_credentials()
    {
        using var anonymous = factory.CreateAnonymousClient();
        using var response = await anonymous.GetAsync($"{ApiFactory.Prefix}/record-files", Ct);
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        using var openapi = await anonymous.GetAsync("/openapi/archive.json", Ct);
        Assert.Equal(200, (int)openapi.StatusCode);
    }
}

public sealed class BruteForceTests(LockoutApiFactory factory) : IClassFixture<LockoutApiFactory>
{
    [Fact]
    public async Task Failing_attempts_beyond_the_limit_get_429_and_valid_credentials_from_the_same_address_still_work()
    {
        for (var i = 0; i < LockoutApiFactory.Limit; i++)
        {
            using var guess = factory.CreateClientWithKey("ak_guess" + i);
            await guess.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectProblemAsync(401);
        }

        // Further guesses are throttled without their key being looked up (and are not audited one by one).
        foreach (var next in new[] { "ak_guess-next", ApiKeyStore.NewKey() })
        {
            using var guesser = factory.CreateClientWithKey(next);
            using var refused = await guesser.GetAsync($"{ApiFactory.Prefix}/agencies", Ct);
            Assert.Equal(429, (int)refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        using (var badToken = factory.CreateAnonymousClient())
        {
            badToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
            using var refused = await badToken.GetAsync($"{ApiFactory.Prefix}/agencies", Ct);
            Assert.Equal(429, (int)refused.StatusCode);
        }

        // Valid credentials from the same address (behind the same NAT or proxy) are not refused: a configured key, a
        // stored one, a bearer token.
        using var admin = factory.CreateClient();
        await admin.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectAsync(200);
        using var bearer = factory.CreateClientFor(ArchiveRoles.Clerk, ["000.00.00.H01"]);
        await bearer.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectAsync(200);
        var created = await admin.PostAsync($"{ApiFactory.Prefix}/api-keys", Json(new { name = "sau khi bị chặn", roles = new[] { "clerk" } }), Ct).ExpectAsync(201);
        using var stored = factory.CreateClientWithKey((string)created["key"]!);
        await stored.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectAsync(200);

        Assert.Equal(LockoutApiFactory.Limit, factory.Audit.Events.Count(e => e.Action == AuditActions.AuthenticationFailed));
    }
}

public sealed class RateLimitTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    [Fact]
    public async Task A_client_over_its_requests_per_minute_gets_429_and_others_do_not()
    {
        using var client = factory.CreateClientFor(ArchiveRoles.Supervisor, name: "busy");
        for (var i = 0; i < RateLimitedApiFactory.Limit; i++)
        {
            await client.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectAsync(200);
        }

        var problem = await client.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectProblemAsync(429);
        Assert.Equal(429, (int)problem["status"]!);
        using var other = factory.CreateClientFor(ArchiveRoles.Supervisor, name: "quiet");
        await other.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectAsync(200);
    }
}

public sealed class HardeningTests(FailingSearchApiFactory factory) : IClassFixture<FailingSearchApiFactory>
{
    [Fact]
    public async Task Responses_carry_security_headers_and_pages_keep_working()
    {
        var client = factory.CreateClient();
        using var api = await client.GetAsync($"{ApiFactory.Prefix}/agencies", Ct);
        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", api.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", api.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'none'", api.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        // Records and their metadata are not kept in browser or proxy caches (no-store) unless an endpoint says otherwise.
        Assert.True(api.Headers.CacheControl?.NoStore, api.Headers.CacheControl?.ToString());

        using var swagger = await client.GetAsync("/swagger/index.html", Ct);
        Assert.Equal(200, (int)swagger.StatusCode);
        Assert.Equal("frame-ancestors 'none'", swagger.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_server_error_reveals_no_stack_trace_or_exception_message()
    {
        var client = factory.CreateClient();
        using var response = await client.GetAsync($"{ApiFactory.Prefix}/search?q=x", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(500, (int)response.StatusCode);
        Assert.DoesNotContain(FailingSearchApiFactory.InternalDetail, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_json_bodies_are_refused_with_413()
    {
        var client = factory.CreateClient();
        var big = "{\"id\":\"000.00.00.H01\",\"name\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        await client.PostAsync($"{ApiFactory.Prefix}/agencies", new StringContent(big, Encoding.UTF8, "application/json"), Ct).ExpectProblemAsync(413);
    }
}
