using Archive.Api.Tests.Support;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>The audit endpoints (query, verify, checkpoint) and the disposition workflow over HTTP.</summary>
public sealed class AuditAndDispositionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Audit = ApiFactory.Prefix + "/audit";
    private const string Dispositions = ApiFactory.Prefix + "/dispositions";

    [Fact]
    public async Task Changes_are_audited_and_the_chain_verifies_and_checkpoints()
    {
        var client = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode, "01.AUD");

        var page = await client.GetAsync($"{Audit}/records?action=change&objectType=record-file&objectId={Uri.EscapeDataString(fileCode)}", Ct).ExpectAsync(200);
        var item = Assert.Single(page["items"]!.AsArray());
        Assert.Equal("Success", (string?)item!["outcome"]);
        Assert.StartsWith("v1: ", (string?)item["detail"], StringComparison.Ordinal);
        Assert.Equal(64, ((string?)item["hash"])!.Length);

        var oldest = await client.GetAsync($"{Audit}/records?order=oldest&pageSize=2", Ct).ExpectAsync(200);
        Assert.Equal(1, (long)oldest["items"]![0]!["sequence"]!);
        Assert.NotNull(oldest["nextCursor"]);

        var checkpoint = await client.PostAsync($"{Audit}/checkpoints", null, Ct).ExpectAsync(200);
        Assert.False((bool)checkpoint["signed"]!);
        var report = await client.PostAsync($"{Audit}/verify", null, Ct).ExpectAsync(200);
        Assert.True((bool)report["isValid"]!, report.ToJsonString());
        Assert.True((long)report["recordsChecked"]! >= 3);
        Assert.Contains(report["problems"]!.AsArray(), p => (string?)p!["kind"] == "Unsigned" && (bool)p["isWarning"]!);

        await client.GetAsync($"{Audit}/records?outcome=Maybe", Ct).ExpectProblemAsync(400, "outcome", "enum");
        await client.GetAsync($"{Audit}/records?pageSize=5000", Ct).ExpectProblemAsync(422, "pageSize", "range");
    }

    [Fact]
    public async Task Only_auditors_query_the_trail()
    {
        using var clerk = factory.CreateClientFor("clerk", ["000.00.00.H49"]);
        var response = await clerk.GetAsync($"{Audit}/records", Ct);
        Assert.Equal(403, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_decision_is_proposed_approved_by_another_user_and_executed_with_refusals_named()
    {
        var client = factory.CreateClient();
        using var approver = factory.CreateClientFor("administrator", name: "Phạm Thị Duyệt");
        var (agencyId, fondsCode) = await SeedAsync(client);
        var expired = await CreateRecordFileAsync(client, fondsCode, "01.HUY", year: 2012, maintenance: "5y");
        var young = await CreateRecordFileAsync(client, fondsCode, "02.CON", year: 2024, maintenance: "10y");

        // The file to destroy is searchable at its last change (the write waited for its projection).
        var filed = await client.PostAsync($"{FileUrl(expired)}/documents?wait=searchable&timeoutMs=30000", Json(new { subject = "Tờ trình hết hạn bảo quản" }), Ct).ExpectAsync(201);
        Assert.Equal("Searchable", (string?)filed["projection"]!["state"]);
        Assert.Equal([expired + "/1"], await SearchAsync("hết hạn bảo quản"));
        Assert.Equal([expired, young], await SearchAsync("tuyển dụng"));
        var id = "QD-" + Guid.NewGuid().ToString("N")[..8];
        var body = new
        {
            id,
            decisionNumber = "15/QĐ-BNV",
            decisionDate = "2026-05-04",
            legalBasis = "Thông tư 06/2025/TT-BNV",
            councilMinutesReference = "Biên bản họp Hội đồng ngày 20/4/2026",
            agencyId,
            fileCodes = new[] { expired, young },
        };

        await client.PostAsync(Dispositions, Json(new { id = "x" }), Ct).ExpectProblemAsync(422, "decisionNumber", "required");
        var created = await client.PostAsync(Dispositions, Json(body), Ct).ExpectAsync(201);
        Assert.Equal("Proposed", (string?)created["status"]);

        await client.PostAsync($"{Dispositions}/{id}/execute", null, Ct).ExpectProblemAsync(409, rule: "disposition.not-approved");
        await client.PostAsync($"{Dispositions}/{id}/approve", null, Ct).ExpectProblemAsync(422, "approvedBy", "disposition.self-approval");
        var approved = await approver.PostAsync($"{Dispositions}/{id}/approve", null, Ct).ExpectAsync(200);
        Assert.Equal("Approved", (string?)approved["status"]);

        var executed = await client.PostAsync($"{Dispositions}/{id}/execute", null, Ct).ExpectAsync(200);
        Assert.Equal("Executed", (string?)executed["status"]);
        var results = executed["results"]!.AsArray();
        Assert.Contains(results, r => (string?)r!["fileCode"] == expired && (string?)r["outcome"] == "Destroyed");
        Assert.Contains(results, r => (string?)r!["fileCode"] == young && (string?)r["outcome"] == "Refused" && (string?)r["rule"] == "retention.not-expired");

        await client.GetAsync(FileUrl(expired), Ct).ExpectAsync(404);
        await client.GetAsync(FileUrl(young), Ct).ExpectAsync(200);

        // Nothing of the destroyed file is found any more, neither the file nor its document.
        Assert.Empty(await SearchAsync("hết hạn bảo quản"));
        Assert.Equal([young], await SearchAsync("tuyển dụng"));
        var record = await client.GetAsync($"{Dispositions}/{id}/record", Ct).ExpectAsync(200);
        var tombstone = Assert.Single(record["tombstones"]!.AsArray());
        Assert.Equal(expired, (string?)tombstone!["fileCode"]);
        Assert.Equal(64, ((string?)tombstone["inventoryDigest"])!.Length);

        var events = await client.GetAsync($"{Audit}/records?action=disposition.destroy&objectId={Uri.EscapeDataString(expired)}", Ct).ExpectAsync(200);
        Assert.Equal("Success", (string?)Assert.Single(events["items"]!.AsArray())!["outcome"]);

        async Task<string[]> SearchAsync(string query)
        {
            var found = await client.GetAsync($"{ApiFactory.Prefix}/search?q={Uri.EscapeDataString(query)}&filter=agency:{agencyId}&consistent=true", Ct).ExpectAsync(200);
            return [.. found["hits"]!.AsArray().Select(h => (string)h!["id"]!).Order(StringComparer.Ordinal)];
        }
    }

    [Fact]
    public async Task A_decision_never_shows_or_destroys_secret_files_for_an_uncleared_agency_head()
    {
        var admin = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(admin);
        var plain = await CreateRecordFileAsync(admin, fondsCode, "03.HUY", year: 2012, maintenance: "5y");
        var secret = await CreateRecordFileAsync(admin, fondsCode, "04.MAT", year: 2012, maintenance: "5y", rights: "Secret");
        var missing = plain.Replace("03.HUY", "05.KHONG", StringComparison.Ordinal);
        object Decision(string id, params string[] codes) => new
        {
            id,
            decisionNumber = "16/QĐ-BNV",
            decisionDate = "2026-05-04",
            legalBasis = "Thông tư 06/2025/TT-BNV",
            councilMinutesReference = "Biên bản họp Hội đồng ngày 20/4/2026",
            agencyId,
            fileCodes = codes,
        };

        // Proposing: a Secret file the head may not read is refused exactly as a code of no file (no probing).
        using var head = factory.CreateClientFor("agency-head", [agencyId], name: "Trần Văn Trưởng");
        var onHidden = await head.PostAsync(Dispositions, Json(Decision("QD-AN-1", plain, secret)), Ct);
        var onMissing = await head.PostAsync(Dispositions, Json(Decision("QD-AN-2", plain, missing)), Ct);
        Assert.Equal(422, (int)onHidden.StatusCode);
        Assert.Equal(422, (int)onMissing.StatusCode);
        var hiddenBody = (await onHidden.Content.ReadAsStringAsync(Ct)).Replace(secret, "{code}", StringComparison.Ordinal);
        var missingBody = (await onMissing.Content.ReadAsStringAsync(Ct)).Replace(missing, "{code}", StringComparison.Ordinal);
        Assert.Equal(WithoutTrace(missingBody), WithoutTrace(hiddenBody));
        Assert.Contains("\"fileCodes[1]\"", hiddenBody, StringComparison.Ordinal);
        Assert.Contains("record-file.not-found", hiddenBody, StringComparison.Ordinal);
        await head.GetAsync($"{Dispositions}/QD-AN-1", Ct).ExpectProblemAsync(404);
        using var clearedAuditor = factory.CreateClientFor("supervisor", clearance: true);
        var probe = await clearedAuditor.GetAsync($"{Audit}/records?action=auth.denied&objectId={Uri.EscapeDataString(secret)}", Ct).ExpectAsync(200);
        Assert.Equal("Secret", (string?)Assert.Single(probe["items"]!.AsArray())!["classification"]);
        using var unclearedAuditor = factory.CreateClientFor("supervisor");
        var seen = await unclearedAuditor.GetAsync($"{Audit}/records?action=auth.denied&pageSize=1000", Ct).ExpectAsync(200);
        Assert.DoesNotContain(secret, seen.ToJsonString(), StringComparison.Ordinal); // (a refused read is redacted for them whether the code exists or not)
        var missingProbe = await clearedAuditor.GetAsync($"{Audit}/records?action=auth.denied&objectId={Uri.EscapeDataString(missing)}", Ct).ExpectAsync(200);
        Assert.Null((string?)Assert.Single(missingProbe["items"]!.AsArray())!["classification"]);

        // A decision a cleared user proposed: the uncleared head neither sees its codes nor approves or executes it.
        var id = "QD-" + Guid.NewGuid().ToString("N")[..8];
        await admin.PostAsync(Dispositions, Json(Decision(id, plain, secret)), Ct).ExpectAsync(201);
        foreach (var call in new Func<Task<HttpResponseMessage>>[]
        {
            () => head.GetAsync($"{Dispositions}/{id}", Ct),
            () => head.PostAsync($"{Dispositions}/{id}/approve", null, Ct),
            () => head.PostAsync($"{Dispositions}/{id}/execute", null, Ct),
        })
        {
            using var refused = await call();
            var text = await refused.Content.ReadAsStringAsync(Ct);
            Assert.Equal(403, (int)refused.StatusCode);
            Assert.Contains("clearance.disposition", text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Equal("Proposed", (string?)(await admin.GetAsync($"{Dispositions}/{id}", Ct).ExpectAsync(200))["status"]);
        await admin.GetAsync(FileUrl(secret), Ct).ExpectAsync(200);

        static string WithoutTrace(string problem)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
            node.Remove("traceId");
            return node.ToJsonString();
        }
    }
}
