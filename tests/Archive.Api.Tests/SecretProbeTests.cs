using System.Text.Json.Nodes;
using Archive.Security;
using Archive.Api.Tests.Support;
using Archive.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>
/// Issue 22 item 3: what a caller without clearance can learn about a Secret record file by probing. Reads of a
/// missing code and of a hidden one do the same storage work (structurally, counted on the object store); a create
/// colliding with a hidden code answers exactly as one colliding with a visible code and is audited for cleared
/// auditors; the audit trail shows uncleared auditors nothing of Secret files.
/// </summary>
public sealed class SecretProbeTests(SecretProbeTests.CountingApiFactory factory) : IClassFixture<SecretProbeTests.CountingApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task A_missing_and_a_hidden_record_file_cost_the_same_storage_operations()
    {
        factory.Server.PreserveExecutionContext = true; // before any client: the request runs in the caller's context (the counter's AsyncLocal)
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin, "Công an tỉnh");
        var secret = await CreateRecordFileAsync(admin, fondsCode, "02.MAT", maintenance: "5y", rights: "Secret");
        await admin.PostAsync($"{FileUrl(secret)}/documents", Json(new { subject = "Kế hoạch bảo vệ" }), Ct).ExpectAsync(201);
        await admin.PutAsync(ContentUrl(secret, 1, "mat.txt"), Bytes("tuyệt mật"u8.ToArray(), "text/plain"), Ct).ExpectAsync(200);
        var missing = secret.Replace("02.MAT", "99.XYZ", StringComparison.Ordinal);

        using var uncleared = factory.CreateClientFor(ArchiveRoles.Archivist, [agencyId]);
        await uncleared.GetAsync(FileUrl(missing.Replace("99", "98", StringComparison.Ordinal)), Ct).ExpectProblemAsync(404); // warm-up (the first miss writes the decoy)

        foreach (var (what, url) in new (string, Func<string, string>)[]
        {
            ("GET record file", c => FileUrl(c)),
            ("GET history", c => FileUrl(c) + "/history"),
            ("GET version", c => FileUrl(c) + "/versions/1"),
            ("GET document", c => FileUrl(c) + "/documents/1"),
            ("GET content", c => ContentUrl(c, 1, "mat.txt")),
            ("GET fixity", c => FileUrl(c) + "/fixity"),
        })
        {
            var (hiddenAnswer, hiddenOps) = await factory.CountAsync(() => uncleared.GetAsync(url(secret), Ct));
            var (missingAnswer, missingOps) = await factory.CountAsync(() => uncleared.GetAsync(url(missing), Ct));
            Assert.Equal(404, hiddenAnswer.Status);
            Assert.Equal(WithoutTraceId(missingAnswer.Body).Replace(missing, secret, StringComparison.Ordinal), WithoutTraceId(hiddenAnswer.Body));
            Assert.Equal(missingAnswer.Headers, hiddenAnswer.Headers);
            Assert.True(hiddenOps.Count > 0, what);
            Assert.Equal(missingOps, hiddenOps); // kinds and outcomes (hit or miss), as multisets
        }

        var (headHidden, headHiddenOps) = await factory.CountAsync(() => uncleared.SendAsync(new HttpRequestMessage(HttpMethod.Head, FileUrl(secret)), Ct));
        var (headMissing, headMissingOps) = await factory.CountAsync(() => uncleared.SendAsync(new HttpRequestMessage(HttpMethod.Head, FileUrl(missing)), Ct));
        Assert.Equal(headMissing.Status, headHidden.Status);
        Assert.Equal(headMissingOps, headHiddenOps);
    }

    [Fact]
    public async Task A_create_on_a_hidden_code_answers_as_on_a_visible_one_and_cleared_auditors_see_the_probe()
    {
        factory.Server.PreserveExecutionContext = true; // before any client: the request runs in the caller's context (the counter's AsyncLocal)
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin, "Bộ Chỉ huy quân sự");
        // Both files projected before the probe: while a file's projection is pending, the engine that flagged it skips the
        // existence check and lets the create-only commit refuse (an intent written and dropped) — a difference of timing
        // that has nothing to do with visibility, but would make the two counts differ by chance.
        var visibleFile = await admin.PostAsync($"{P}/record-files?wait=searchable&timeoutMs=30000", Json(RecordFile(fondsCode, "01.CV")), Ct).ExpectAsync(201);
        var secretFile = await admin.PostAsync($"{P}/record-files?wait=searchable&timeoutMs=30000", Json(RecordFile(fondsCode, "02.MAT", maintenance: "5y", rights: "Secret")), Ct).ExpectAsync(201);
        Assert.All(new[] { visibleFile, secretFile }, f => Assert.Equal("Searchable", (string?)f["projection"]!["state"]));
        var (visible, secret) = ((string)visibleFile["fileCode"]!, (string)secretFile["fileCode"]!);

        using var uncleared = factory.CreateClientFor(ArchiveRoles.Archivist, [agencyId]);
        await uncleared.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, "03.CV")), Ct).ExpectAsync(201); // warm-up
        var (onHidden, hiddenOps) = await factory.CountAsync(() => uncleared.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, "02.MAT")), Ct));
        var (onVisible, visibleOps) = await factory.CountAsync(() => uncleared.PostAsync($"{P}/record-files", Json(RecordFile(fondsCode, "01.CV")), Ct));
        Assert.Equal(409, onHidden.Status);
        Assert.Equal(onVisible.Status, onHidden.Status);
        Assert.Equal(onVisible.Headers, onHidden.Headers);
        var a = JsonNode.Parse(onHidden.Body)!;
        var b = JsonNode.Parse(onVisible.Body)!;
        foreach (var member in new[] { "type", "title", "status" })
        {
            Assert.Equal(b[member]!.ToJsonString(), a[member]!.ToJsonString());
        }

        Assert.Equal(((string?)b["detail"])!.Replace(visible, "{code}", StringComparison.Ordinal), ((string?)a["detail"])!.Replace(secret, "{code}", StringComparison.Ordinal));
        Assert.Equal(b["errors"]!.ToJsonString().Replace(visible, "{code}", StringComparison.Ordinal), a["errors"]!.ToJsonString().Replace(secret, "{code}", StringComparison.Ordinal));
        Assert.DoesNotContain("Secret", onHidden.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Mật", onHidden.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(visibleOps, hiddenOps);

        using var clearedAuditor = factory.CreateClientFor(ArchiveRoles.Supervisor, clearance: true);
        var seen = await clearedAuditor.GetAsync($"{P}/audit/records?action=security.hidden-code-collision&objectId={Uri.EscapeDataString(secret)}", Ct).ExpectAsync(200);
        var probe = Assert.Single(seen["items"]!.AsArray());
        Assert.StartsWith("archivist", (string?)probe!["actor"], StringComparison.Ordinal);
        Assert.Equal("Secret", (string?)probe["classification"]);
        var plain = await clearedAuditor.GetAsync($"{P}/audit/records?action=recordfile.code-collision&objectId={Uri.EscapeDataString(visible)}", Ct).ExpectAsync(200);
        Assert.Single(plain["items"]!.AsArray());

        using var unclearedAuditor = factory.CreateClientFor(ArchiveRoles.Supervisor);
        var redacted = await unclearedAuditor.GetAsync($"{P}/audit/records?action=security.hidden-code-collision&pageSize=1000", Ct).ExpectAsync(200);
        Assert.DoesNotContain(secret, redacted.ToJsonString(), StringComparison.Ordinal);
        Assert.All(redacted["items"]!.AsArray(), i => Assert.True((bool)i!["redacted"]!));
    }

    [Fact]
    public async Task Uncleared_auditors_see_nothing_of_secret_files_in_the_trail_and_the_chain_still_verifies()
    {
        factory.Server.PreserveExecutionContext = true; // before any client: the request runs in the caller's context (the counter's AsyncLocal)
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin, "Ban Cơ yếu");
        var secret = await CreateRecordFileAsync(admin, fondsCode, "07.MAT", maintenance: "5y", rights: "Secret");
        await admin.PostAsync($"{FileUrl(secret)}/documents", Json(new { subject = "Phương án Hoàngsa" }), Ct).ExpectAsync(201);
        await admin.PutAsync(ContentUrl(secret, 1, "phuongan-matdo.txt"), Bytes("Hoàngsa tuyệt mật"u8.ToArray(), "text/plain"), Ct).ExpectAsync(200);
        await admin.GetAsync(FileUrl(secret), Ct).ExpectAsync(200);
        using (var read = await admin.GetAsync(ContentUrl(secret, 1, "phuongan-matdo.txt"), Ct))
        {
            Assert.Equal(200, (int)read.StatusCode);
        }

        await admin.GetAsync($"{P}/search?q=Hoangsa&consistent=true", Ct).ExpectAsync(200);
        using var uncleared = factory.CreateClientFor(ArchiveRoles.Archivist, [agencyId]);
        await uncleared.GetAsync(FileUrl(secret), Ct).ExpectProblemAsync(404);

        using var unclearedAuditor = factory.CreateClientFor(ArchiveRoles.Supervisor);
        var all = new List<JsonNode>();
        long? cursor = null;
        do
        {
            var page = await unclearedAuditor.GetAsync($"{P}/audit/records?pageSize=1000{(cursor is { } c ? $"&cursor={c}" : string.Empty)}", Ct).ExpectAsync(200);
            all.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (long?)page["nextCursor"];
        }
        while (cursor is not null);

        var text = string.Join("\n", all.Select(i => i.ToJsonString()));
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("07.MAT", text, StringComparison.Ordinal);
        Assert.DoesNotContain("phuongan-matdo", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hoangsa", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Hoàngsa", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"classification\":\"Secret\"", text, StringComparison.Ordinal);
        Assert.Contains(all, i => (bool)i["redacted"]! && (string?)i["action"] == "content.read");
        Assert.Contains(all, i => (bool)i["redacted"]! && (string?)i["action"] == "search");

        // A filter on the secret code finds nothing for them (not even the redacted records).
        var filtered = await unclearedAuditor.GetAsync($"{P}/audit/records?objectId={Uri.EscapeDataString(secret)}&pageSize=1000", Ct).ExpectAsync(200);
        Assert.Empty(filtered["items"]!.AsArray());

        // A cleared auditor sees all of it; the chain verifies and its report names no record content.
        using var clearedAuditor = factory.CreateClientFor(ArchiveRoles.Supervisor, clearance: true);
        var full = await clearedAuditor.GetAsync($"{P}/audit/records?objectId={Uri.EscapeDataString(secret)}&pageSize=1000", Ct).ExpectAsync(200);
        Assert.Contains(full["items"]!.AsArray(), i => (string?)i!["action"] == "recordfile.read");
        var verified = await unclearedAuditor.PostAsync($"{P}/audit/verify", null, Ct).ExpectAsync(200);
        Assert.True((bool)verified["isValid"]!);
        Assert.DoesNotContain(secret, verified.ToJsonString(), StringComparison.Ordinal);
    }

    private static string WithoutTraceId(string problem)
    {
        var node = JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }

    /// <summary>The API host with its object store wrapped in one that records, per request, the kind and outcome of every operation.</summary>
    public sealed class CountingApiFactory : ApiFactory
    {
        private static readonly AsyncLocal<List<string>?> Current = new();

        public async Task<((int Status, string Body, string Headers) Answer, List<string> Operations)> CountAsync(Func<Task<HttpResponseMessage>> call)
        {
            var operations = new List<string>();
            Current.Value = operations;
            try
            {
                using var response = await call();
                var body = await response.Content.ReadAsStringAsync(Ct);
                var headers = string.Join(";", response.Headers.Concat(response.Content.Headers).Select(h => h.Key).Where(k => k != "Date").Order(StringComparer.Ordinal));
                lock (operations)
                {
                    return (((int)response.StatusCode, body, headers), operations.Order(StringComparer.Ordinal).ToList());
                }
            }
            finally
            {
                Current.Value = null;
            }
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                var inner = services.Last(d => d.ServiceType == typeof(IObjectStore));
                services.Remove(inner);
                services.AddSingleton<IObjectStore>(sp => new CountingStore(inner.ImplementationInstance as IObjectStore
                    ?? (IObjectStore)inner.ImplementationFactory!(sp)));
            });
        }

        private sealed class CountingStore(IObjectStore inner) : DelegatingObjectStore(inner)
        {
            public override async ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
            {
                var result = await base.GetAsync(key, range, cancellationToken);
                Note("get " + Hit(result is not null), key);
                return result;
            }

            public override async ValueTask<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
            {
                var result = await base.StatAsync(key, cancellationToken);
                Note("stat " + Hit(result is not null), key);
                return result;
            }

            public override async ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
            {
                Note("put", key);
                return await base.PutAsync(key, content, options, cancellationToken);
            }

            public override async ValueTask<ObjectListPage> ListPageAsync(string prefix, ObjectListOptions? options = null, CancellationToken cancellationToken = default)
            {
                Note("list", prefix);
                return await base.ListPageAsync(prefix, options, cancellationToken);
            }

            public override async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
            {
                Note("delete", key);
                return await base.DeleteAsync(key, cancellationToken);
            }

            private static string Hit(bool hit) => hit ? "hit" : "miss";

            private static void Note(string operation, string key)
            {
                if (Current.Value is { } list)
                {
                    // The audit trail's own objects are named by sequence; count them by kind only.
                    var area = key.StartsWith("audit/", StringComparison.Ordinal) ? "audit" : "data";
                    lock (list)
                    {
                        list.Add(operation + " " + area);
                    }
                }
            }
        }
    }
}
