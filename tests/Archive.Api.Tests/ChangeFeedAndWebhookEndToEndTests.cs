using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// The change feed and webhooks end to end (issue #19 item 1), <b>only through the client NSwag generates from the served
/// OpenAPI document</b> against a real <c>Archive.Server</c> process, with a receiver of its own (Kestrel on 127.0.0.1,
/// allowed by <c>Archive:Webhooks:AllowedHosts</c>): the feed scoped to an uncleared archivist (no Secret file, no other
/// agency), paged by cursor, bad input refused by rule; SSRF targets refused; signed deliveries verified by the receiver;
/// failures retried with backoff, logged and disabling the subscription; the server killed and restarted, then the
/// subscription enabled again: the undelivered event arrives with the same delivery id (nothing lost). Then the offline
/// verbs <c>changes list</c> and <c>webhook list|deliveries</c> on the same data folder.
/// </summary>
public sealed class ChangeFeedAndWebhookEndToEndTests : IAsyncLifetime
{
    private const string Agency = "000.00.84.H26";
    private const string Other = "000.00.85.H26";
    private const string Fonds = "P-HOAAN";
    private const string OtherFonds = "P-HOABINH";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-webhooks-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ConcurrentQueue<Received> _received = new();
    private ServerProcess? _server;
    private WebApplication? _receiver;
    private volatile int _failWith;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            _received.Enqueue(new Received(
                http.Request.Headers["X-Archive-Signature"].ToString(),
                http.Request.Headers["X-Archive-Timestamp"].ToString(),
                http.Request.Headers["X-Archive-Delivery"].ToString(),
                http.Request.Headers["X-Archive-Event"].ToString(),
                buffer.ToArray()));
            return _failWith == 0 ? Results.NoContent() : Results.StatusCode(_failWith);
        });
        await _receiver.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task The_feed_is_scoped_and_resumable_and_signed_deliveries_are_retried_disabled_and_resumed_after_a_restart()
    {
        var (hookUrl, data, environment, clerkKey, admin, clerk) = await StartAsync(new()
        {
            ["Archive__Webhooks__InitialBackoff"] = "00:00:00.300",
            ["Archive__Webhooks__MaxBackoff"] = "00:00:01",
            ["Archive__Webhooks__MaxConsecutiveFailures"] = "3",
        });
        var open = await FileAsync(admin, Fonds, "1.VP", Generated.AccessLevel.Public);
        var secret = await FileAsync(admin, Fonds, "2.MAT", Generated.AccessLevel.Secret);
        var foreign = await FileAsync(admin, OtherFonds, "1.VP", Generated.AccessLevel.Public);
        await AddDocumentAsync(admin, open, "1");
        await AddDocumentAsync(admin, secret, "1");

        // The feed: the uncleared archivist sees its agency's open file only (created, then updated), the administrator everything.
        var mine = await clerk.ListChangesAsync(null, 100, null, Ct);
        Assert.Equal([(open, 1, RecordChangeKind.Created), (open, 2, RecordChangeKind.Updated)], mine.Items.Select(c => (c.FileCode, c.Version ?? 0, c.Kind)).ToList());
        Assert.All(mine.Items, c => Assert.Equal("quan-tri", c.Actor));
        var all = await admin.ListChangesAsync(null, 100, null, Ct);
        Assert.Equal(5, all.Items.Count);
        Assert.Contains(all.Items, c => c.FileCode == secret);
        Assert.Contains(all.Items, c => c.FileCode == foreign);
        Assert.Equal([open, open], (await admin.ListChangesAsync(null, 100, Agency, Ct)).Items.Where(c => c.FileCode != secret).Select(c => c.FileCode));

        // Resumable: one at a time by cursor gives the same changes; at the end the cursor stays and nothing more is waiting.
        var walked = new List<string>();
        string? cursor = null;
        for (var i = 0; i < 10; i++)
        {
            var page = await admin.ListChangesAsync(cursor, 1, null, Ct);
            walked.AddRange(page.Items.Select(c => c.FileCode + "@" + c.Version));
            cursor = page.NextCursor;
            if (!page.HasMore)
            {
                break;
            }
        }

        Assert.Equal(all.Items.Select(c => c.FileCode + "@" + c.Version), walked);
        Assert.Empty((await admin.ListChangesAsync(all.NextCursor, 100, null, Ct)).Items);

        // Bad input names the field and the rule.
        await AssertProblemAsync(422, "changes.cursor-invalid", () => clerk.ListChangesAsync("not-a-cursor", 10, null, Ct));
        await AssertProblemAsync(422, "changes.limit-range", () => clerk.ListChangesAsync(null, 0, null, Ct));

        // SSRF: loopback by name, private, link-local (cloud metadata) and IPv6 loopback refused; a non-http scheme too. Nothing stored.
        foreach (var target in new[] { "http://localhost:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/hook" })
        {
            var refused = await AssertProblemAsync(422, "webhook.url-private", () => clerk.CreateWebhookAsync(Subscription(target), Ct));
            Assert.Contains(refused.Result.Errors, e => e.Field == "url");
        }

        await AssertProblemAsync(422, "webhook.url-scheme", () => clerk.CreateWebhookAsync(Subscription("ftp://example.org/hook"), Ct));
        await AssertProblemAsync(422, "webhook.events", () => clerk.CreateWebhookAsync(new CreateWebhookRequest { AgencyId = Agency, Url = hookUrl, Events = [] }, Ct));
        await AssertProblemAsync(422, "webhook.events", () => clerk.CreateWebhookAsync(new CreateWebhookRequest { AgencyId = Agency, Url = hookUrl, Events = ["RecordFileDeleted"] }, Ct));
        await AssertProblemAsync(403, "scope.agency", () => clerk.CreateWebhookAsync(new CreateWebhookRequest { AgencyId = Other, Url = hookUrl, Events = ["RecordFileChanged"] }, Ct));
        Assert.Empty((await admin.ListWebhooksAsync(null, Ct)).Items);

        // Subscribe; the secret is answered once and never again.
        var created = await clerk.CreateWebhookAsync(Subscription(hookUrl, "RecordFileChanged", "Searchable"), Ct);
        var id = created.Subscription.Id;
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        using (var raw = new HttpClient())
        {
            raw.DefaultRequestHeaders.Add("X-Api-Key", clerkKey);
            var shown = await raw.GetStringAsync(_server!.BaseUrl + "/api/webhooks/" + id, Ct);
            Assert.DoesNotContain(created.Secret, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(created.Secret, await raw.GetStringAsync(_server.BaseUrl + "/api/webhooks", Ct), StringComparison.Ordinal);
        }

        // Changes after the subscription: the open file's change is delivered (changed, then searchable), signed; the Secret
        // file's and the other agency's are not.
        await AddDocumentAsync(admin, secret, "2");
        await AddDocumentAsync(admin, foreign, "1");
        await AddDocumentAsync(admin, open, "2");
        var changed = await WaitForAsync(r => r.Event == "record-file.changed");
        var searchable = await WaitForAsync(r => r.Event == "record-file.searchable");
        foreach (var r in new[] { changed, searchable })
        {
            Assert.Equal(Sign(created.Secret, r.Timestamp, r.Body), r.Signature);
            Assert.True(Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(r.Timestamp, System.Globalization.CultureInfo.InvariantCulture)) < 300);
            using var json = JsonDocument.Parse(r.Body);
            Assert.Equal(open, json.RootElement.GetProperty("data").GetProperty("fileCode").GetString());
            Assert.Equal(3, json.RootElement.GetProperty("data").GetProperty("version").GetInt32());
            Assert.Equal(r.DeliveryId, json.RootElement.GetProperty("id").GetString());
        }

        Assert.NotEqual(changed.DeliveryId, searchable.DeliveryId);
        await Task.Delay(1000, Ct);
        Assert.DoesNotContain(_received, r => Encoding.UTF8.GetString(r.Body).Contains(secret, StringComparison.Ordinal) || Encoding.UTF8.GetString(r.Body).Contains(foreign, StringComparison.Ordinal));

        // The receiver fails: attempts are retried with backoff and logged, and after 3 the subscription is disabled.
        _failWith = 503;
        _received.Clear();
        await AddDocumentAsync(admin, open, "3");
        var disabled = await WaitUntilAsync(async () => await clerk.GetWebhookAsync(id, Ct) is { Enabled: false } s ? s : null);
        Assert.Equal(3, disabled.ConsecutiveFailures);
        Assert.Contains("3", disabled.DisabledReason, StringComparison.Ordinal);
        var failedId = _received.First().DeliveryId;
        Assert.All(_received, r => Assert.Equal(failedId, r.DeliveryId)); // the same event, retried
        var log = (await clerk.ListWebhookDeliveriesAsync(id, null, 100, Ct)).Items;
        var failures = log.Where(a => !a.Succeeded).ToList();
        Assert.Equal([1, 2, 3], failures.Select(a => a.Attempt));
        Assert.All(failures, a => Assert.Equal((503, failedId), (a.StatusCode ?? 0, a.DeliveryId)));
        Assert.Contains(log, a => a.Succeeded && a.DeliveryId == changed.DeliveryId);
        var gaps = failures.Zip(failures.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.All(gaps, g => Assert.True(g >= TimeSpan.FromMilliseconds(250), $"attempts {g} apart: no backoff"));
        Assert.True(gaps[1] > gaps[0], "the backoff grows");

        // The server is killed (no graceful stop), restarted on the same data; the receiver recovers and the subscription is
        // enabled again: the undelivered change arrives under the same delivery id.
        await _server.KillAsync();
        await _server.DisposeAsync();
        _failWith = 0;
        _received.Clear();
        _server = await ServerProcess.StartAsync(data, environment, Ct);
        clerk = _server.Client(clerkKey, TimeSpan.FromMinutes(2));
        await Task.Delay(1000, Ct);
        Assert.Empty(_received); // disabled: nothing until enabled
        var enabled = await clerk.UpdateWebhookAsync(id, new UpdateWebhookRequest { Enabled = true }, Ct);
        Assert.Equal((true, 0), (enabled.Enabled, enabled.ConsecutiveFailures));
        var resumed = await WaitForAsync(r => r.DeliveryId == failedId);
        Assert.Equal(Sign(created.Secret, resumed.Timestamp, resumed.Body), resumed.Signature);
        await WaitForAsync(r => r.Event == "record-file.searchable");

        await _server.DisposeAsync();
        _server = null;

        // Offline verbs on the same data folder.
        var (code, output, errors) = await ServerProcess.RunCliAsync(data, ["changes", "list", "--limit", "2"], Ct);
        Assert.True(code == 0, output + errors);
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(open + "\tv1\tCreated", output, StringComparison.Ordinal);
        Assert.Contains("--after ch1.", errors, StringComparison.Ordinal);
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["changes", "list", "--after", "bogus"], Ct);
        Assert.True(code == 3, output + errors);
        Assert.Contains("--after (after)", errors, StringComparison.Ordinal);
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["webhook", "list"], Ct);
        Assert.True(code == 0, output + errors);
        Assert.Contains(id + "\t" + Agency + "\tenabled", output, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Secret, output, StringComparison.Ordinal);
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["webhook", "deliveries", "--id", id], Ct);
        Assert.True(code == 0, output + errors);
        Assert.Contains("\t503\t", output, StringComparison.Ordinal);
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["webhook", "add", "--agency", Agency, "--url", "http://192.168.1.10/hook", "--events", "RecordFileChanged"], Ct);
        Assert.True(code == 3, output + errors);
        Assert.Contains("webhook.url-private", errors, StringComparison.Ordinal);
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["webhook", "remove", "--id", id], Ct);
        Assert.True(code == 0, output + errors);
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["webhook", "list"], Ct);
        Assert.DoesNotContain(id, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_due_and_handover_received_and_accepted_are_delivered_signed_once_to_the_agency_concerned()
    {
        var (hookUrl, data, _, _, admin, clerk) = await StartAsync(new() { ["Archive__Webhooks__DueScanInterval"] = "00:00:01" });
        var created = await clerk.CreateWebhookAsync(Subscription(hookUrl, "RetentionDue", "HandoverReceived", "HandoverAccepted"), Ct);
        Assert.Equal(["RetentionDue", "HandoverReceived", "HandoverAccepted"], created.Subscription.Events);

        // Permanent files closed in 2015 are due at the Historical Archives in 2021 (1 + 5 years): past due and not transferred,
        // so the next scan notices them. The agency's open file is delivered; its Secret one and the other agency's are not.
        var due = await DueFileAsync(admin, Fonds, "1.VP", Generated.AccessLevel.Public);
        var secret = await DueFileAsync(admin, Fonds, "2.MAT", Generated.AccessLevel.Secret);
        var foreign = await DueFileAsync(admin, OtherFonds, "1.VP", Generated.AccessLevel.Public);
        var retention = await WaitForAsync(r => r.Event == "retention.due");
        Assert.Equal(Sign(created.Secret, retention.Timestamp, retention.Body), retention.Signature);
        using (var json = JsonDocument.Parse(retention.Body))
        {
            var payload = json.RootElement.GetProperty("data");
            Assert.Equal((due, "transfer", "2021-01-01", Fonds), (payload.GetProperty("fileCode").GetString(), payload.GetProperty("due").GetString(), payload.GetProperty("dueDate").GetString(), payload.GetProperty("fondsCode").GetString()));
            Assert.Equal((Agency, "retention.due"), (json.RootElement.GetProperty("agencyId").GetString(), json.RootElement.GetProperty("event").GetString()));
        }

        // Several scans later (one a second): still once, and nothing of the Secret or the other agency's file.
        await Task.Delay(3000, Ct);
        Assert.Single(_received, r => r.Event == "retention.due");
        Assert.DoesNotContain(_received, r => Encoding.UTF8.GetString(r.Body).Contains(secret, StringComparison.Ordinal) || Encoding.UTF8.GetString(r.Body).Contains(foreign, StringComparison.Ordinal));

        // The other agency hands its fonds over to this one: the package is received (verified), then accepted.
        var export = await admin.StartHandoverAsync(new StartHandoverRequest { FondsCode = OtherFonds, ReceivingAgencyId = Agency }, Ct);
        export = await UntilJobAsync(() => admin.GetHandoverAsync(export.Id, Ct), "completed");
        byte[] package;
        using (var download = await admin.DownloadHandoverPackageAsync(export.Id, null, null, null, Ct))
        using (var buffer = new MemoryStream())
        {
            await download.Stream.CopyToAsync(buffer, Ct);
            package = buffer.ToArray();
        }

        var receipt = await clerk.OpenHandoverReceiptAsync(new OpenReceiptRequest { AgencyId = Agency, Length = package.Length, Sha256 = export.PackageSha256 }, Ct);
        await clerk.UploadHandoverReceiptPackageAsync(receipt.Id, new FileParameter(new MemoryStream(package), "package.tar", "application/x-tar"), Ct);
        await UntilJobAsync(() => clerk.GetHandoverReceiptAsync(receipt.Id, Ct), "verified");
        var received = await WaitForAsync(r => r.Event == "handover.received");
        Assert.Equal(Sign(created.Secret, received.Timestamp, received.Body), received.Signature);
        using (var json = JsonDocument.Parse(received.Body))
        {
            var payload = json.RootElement.GetProperty("data");
            Assert.Equal((receipt.Id, Agency, Other, OtherFonds), (payload.GetProperty("receiptId").GetString(), payload.GetProperty("receivingAgencyId").GetString(), payload.GetProperty("handingAgencyId").GetString(), payload.GetProperty("fondsCode").GetString()));
        }

        Assert.DoesNotContain(_received, r => r.Event == "handover.accepted"); // not before the agency accepts
        await clerk.AcceptHandoverReceiptAsync(receipt.Id, new AcceptPackageRequest(), Ct);
        await UntilJobAsync(() => clerk.GetHandoverReceiptAsync(receipt.Id, Ct), "accepted");
        var accepted = await WaitForAsync(r => r.Event == "handover.accepted");
        Assert.Equal(Sign(created.Secret, accepted.Timestamp, accepted.Body), accepted.Signature);
        using (var json = JsonDocument.Parse(accepted.Body))
        {
            var payload = json.RootElement.GetProperty("data");
            Assert.Equal((Agency, OtherFonds, Other), (payload.GetProperty("receivingAgencyId").GetString(), payload.GetProperty("fondsCode").GetString(), payload.GetProperty("creatingAgencyId").GetString()));
        }

        // The fonds' due file is now held here, but it was noticed already: not again. Every delivery is logged by kind.
        await Task.Delay(3000, Ct);
        Assert.Single(_received, r => r.Event == "retention.due");
        var log = (await clerk.ListWebhookDeliveriesAsync(created.Subscription.Id, null, 100, Ct)).Items;
        Assert.Equal([WebhookEventKind.RetentionDue, WebhookEventKind.HandoverReceived, WebhookEventKind.HandoverAccepted], log.Where(a => a.Succeeded).Select(a => a.Event));
        Assert.Equal(due, log.First(a => a.Succeeded).FileCode);
        await _server!.DisposeAsync();
        _server = null;

        // The verb takes the new kinds (the URL is then checked: private here) and names them when one is wrong.
        var (code, output, errors) = await ServerProcess.RunCliAsync(data, ["webhook", "add", "--agency", Agency, "--url", "http://192.168.1.10/hook", "--events", "PlanTaskOverdue,RetentionDue"], Ct);
        Assert.True(code == 3, output + errors);
        Assert.Contains("webhook.url-private", errors, StringComparison.Ordinal);
        (code, output, errors) = await ServerProcess.RunCliAsync(data, ["webhook", "add", "--agency", Agency, "--url", "http://192.168.1.10/hook", "--events", "RetentionOverdue"], Ct);
        Assert.NotEqual(0, code);
        Assert.Contains("HandoverAccepted", output + errors, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts the server with an administrator cleared for Secret ("quan-tri") and an archivist of <see cref="Agency"/>
    /// ("luu-tru-vien"), deliveries allowed to the local receiver and polled every 200 ms, plus <paramref name="webhooks"/>;
    /// registers both agencies and their fonds.
    /// </summary>
    private async Task<(string HookUrl, string Data, Dictionary<string, string> Environment, string ClerkKey, ArchiveClient Admin, ArchiveClient Clerk)> StartAsync(Dictionary<string, string> webhooks)
    {
        var hookUrl = _receiver!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hook";
        var adminKey = ApiKeyStore.NewKey();
        var clerkKey = ApiKeyStore.NewKey();
        var data = Path.Combine(_root, "data");
        var environment = new Dictionary<string, string>(webhooks)
        {
            ["Archive__Auth__ApiKeys__0__Name"] = "quan-tri",
            ["Archive__Auth__ApiKeys__0__KeyHash"] = ApiKeyStore.Hash(adminKey),
            ["Archive__Auth__ApiKeys__0__Roles"] = ArchiveRoles.Administrator,
            ["Archive__Auth__ApiKeys__0__Clearance"] = "secret",
            ["Archive__Auth__ApiKeys__1__Name"] = "luu-tru-vien",
            ["Archive__Auth__ApiKeys__1__KeyHash"] = ApiKeyStore.Hash(clerkKey),
            ["Archive__Auth__ApiKeys__1__Roles"] = ArchiveRoles.Archivist,
            ["Archive__Auth__ApiKeys__1__Agencies"] = Agency,
            ["Archive__Webhooks__AllowedHosts__0"] = "127.0.0.1",
            ["Archive__Webhooks__PollInterval"] = "00:00:00.200",
        };
        _server = await ServerProcess.StartAsync(data, environment, Ct);
        var admin = _server.Client(adminKey, TimeSpan.FromMinutes(2));
        var clerk = _server.Client(clerkKey, TimeSpan.FromMinutes(2));
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Agency, Name = "Ủy ban nhân dân xã Hòa An" }, Ct);
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = Other, Name = "Ủy ban nhân dân xã Hòa Bình" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = Fonds, Name = "Phông UBND xã Hòa An", AgencyId = Agency, Language = "vi" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = OtherFonds, Name = "Phông UBND xã Hòa Bình", AgencyId = Other, Language = "vi" }, Ct);
        return (hookUrl, data, environment, clerkKey, admin, clerk);
    }

    private static async Task<PackageJobDto> UntilJobAsync(Func<Task<PackageJobDto>> get, string state)
    {
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var job = await get();
            if (job.State == state)
            {
                return job;
            }

            Assert.True(job.State is not ("failed" or "cancelled" or "declined" or "rejected"), $"Job {job.Id} ended {job.State}: {job.Error} {string.Join("; ", job.Problems.Select(p => $"{p.Kind} {p.Path}: {p.Detail}"))}");
            Assert.True(DateTime.UtcNow < until, $"Job {job.Id} still {job.State}.");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<string> DueFileAsync(ArchiveClient client, string fonds, string notation, Generated.AccessLevel rights)
        => (await client.CreateRecordFileAsync(null, null, new RecordFileRequest
        {
            FondsCode = fonds,
            FileCatalog = 2015,
            FileNotation = notation,
            Title = "Hồ sơ " + notation + " năm 2015",
            Maintenance = "permanent",
            Rights = rights,
            Language = "vi",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            Status = Generated.RecordFileStatus.Finished,
            Keywords = [],
        }, Ct)).FileCode;

    private static string Sign(string secret, string timestamp, byte[] body)
        => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));

    private static CreateWebhookRequest Subscription(string url, params string[] events)
        => new() { AgencyId = Agency, Url = url, Events = events.Length == 0 ? ["RecordFileChanged"] : events, Description = "Hệ thống quản lý văn bản" };

    private async Task<Received> WaitForAsync(Func<Received, bool> match)
        => await WaitUntilAsync(() => Task.FromResult(_received.FirstOrDefault(match)));

    private static async Task<T> WaitUntilAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < until, "Timed out waiting for a delivery.");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task<ArchiveApiException<ProblemDetails>> AssertProblemAsync(int status, string rule, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(call);
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains(ex.Result.Errors ?? [], e => e.Rule == rule);
        return ex;
    }

    private static Task AddDocumentAsync(ArchiveClient client, string fileCode, string number)
        => client.AddDocumentAsync(fileCode, null, null, null, new DocumentRequest { TypeName = "Quyết định", CodeNumber = "1" + number, CodeNotation = "QĐ-UBND", Subject = "Phê duyệt kế hoạch số " + number, Language = "vi", PageAmount = 1 }, Ct);

    private static async Task<string> FileAsync(ArchiveClient client, string fonds, string notation, Generated.AccessLevel rights)
        => (await client.CreateRecordFileAsync(null, null, new RecordFileRequest
        {
            FondsCode = fonds,
            FileCatalog = 2020,
            FileNotation = notation,
            Title = "Hồ sơ " + notation + " năm 2020",
            Maintenance = "10y",
            Rights = rights,
            Language = "vi",
            StartDate = new DateOnly(2020, 1, 5),
            EndDate = new DateOnly(2020, 12, 20),
            Status = Generated.RecordFileStatus.Finished,
            Keywords = [],
        }, Ct)).FileCode;

    private sealed record Received(string Signature, string Timestamp, string DeliveryId, string Event, byte[] Body);
}
