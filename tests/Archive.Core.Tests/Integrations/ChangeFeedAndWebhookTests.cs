using System.Net;
using Archive.Core.Tests.Records;
using Archive.Integrations;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Integrations;

/// <summary>The change feed and the SSRF rules of webhook URLs (issue #19 item 1), on the engine alone.</summary>
public sealed class ChangeFeedAndWebhookTests
{
    private const string OtherAgency = "000.00.00.H49";
    private const string OtherFonds = "P-H49";
    private static readonly ArchiveCaller Archivist = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);
    private static readonly ArchiveCaller ClearedArchivist = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], secretClearance: true);
    private static readonly ArchiveCaller Researcher = ArchiveCaller.Authenticated(new ArchiveUser("Độc giả"), [ArchiveRoles.Researcher]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_feed_lists_committed_changes_with_version_kind_and_actor_scoped_to_the_caller_and_skips_reads()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Ủy ban nhân dân tỉnh");
        var feed = h.Services.GetRequiredService<ChangeFeedService>();
        var open = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.CL"), ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        var secret = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.MAT") with { Rights = AccessLevel.Secret }, ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        var foreign = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.VP", fondsCode: OtherFonds), new ArchiveUser("Trần Thị Bình"), Ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(open, ArchiveHarness.DocInput(), null, ArchiveHarness.User, Ct);
        var policy = h.Services.GetRequiredService<IArchiveAccessPolicy>();
        await policy.RequireReadAsync(Archivist, await h.Files.GetAsync(open, Ct), open, Ct); // a read is audited, and is no change
        await policy.AuditReadAsync(Archivist, Archive.Audit.AuditActions.RecordRead, "record-file", open, null, Ct);

        var everything = await feed.ReadAsync(null, 100, null, null, Ct);
        Assert.Equal(
            [(open, 1, RecordChangeKind.Created), (secret, 1, RecordChangeKind.Created), (foreign, 1, RecordChangeKind.Created), (open, 2, RecordChangeKind.Updated)],
            everything.Items.Select(c => (c.FileCode, c.Version ?? 0, c.Kind)).ToList());
        Assert.False(everything.HasMore);
        Assert.Equal(ArchiveHarness.User.Name, everything.Items[0].Actor);
        Assert.Equal(ArchiveHarness.User.Address, everything.Items[0].ActorId);
        Assert.Equal("Trần Thị Bình", everything.Items[2].Actor);

        Assert.Equal([open, open], (await feed.ReadAsync(null, 100, Archivist, null, Ct)).Items.Select(c => c.FileCode));
        Assert.Equal([open, secret, open], (await feed.ReadAsync(null, 100, ClearedArchivist, null, Ct)).Items.Select(c => c.FileCode));
        Assert.Equal([foreign], (await feed.ReadAsync(null, 100, null, OtherAgency, Ct)).Items.Select(c => c.FileCode));
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await feed.ReadAsync(null, 10, Researcher, null, Ct));

        // Resumable: a page of one, then on from its cursor; the end cursor yields nothing new until a new change.
        var first = await feed.ReadAsync(null, 1, null, null, Ct);
        Assert.True(first.HasMore);
        var rest = await feed.ReadAsync(first.NextCursor, 100, null, null, Ct);
        Assert.Equal(everything.Items, [.. first.Items, .. rest.Items]);
        Assert.Empty((await feed.ReadAsync(everything.NextCursor, 100, null, null, Ct)).Items);
        await h.Files.AddDocumentAsync(foreign, ArchiveHarness.DocInput("06"), null, ArchiveHarness.User, Ct);
        Assert.Equal([(foreign, 2)], (await feed.ReadAsync(everything.NextCursor, 100, null, null, Ct)).Items.Select(c => (c.FileCode, c.Version ?? 0)));

        // Stable across a restart: the same cursor reads the same changes.
        await h.ReopenAsync();
        var reopened = h.Services.GetRequiredService<ChangeFeedService>();
        Assert.Equal(rest.Items, (await reopened.ReadAsync(first.NextCursor, 3, null, null, Ct)).Items);
    }

    [Fact]
    public async Task A_bad_cursor_and_limit_are_refused_by_field_and_rule()
    {
        await using var h = ArchiveHarness.Create();
        var feed = h.Services.GetRequiredService<ChangeFeedService>();
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await feed.ReadAsync("ch1.bm90LWEtbnVtYmVy", 0, null, null, Ct));
        Assert.Equal([("after", ChangeFeedRules.CursorInvalid), ("limit", ChangeFeedRules.LimitRange)], ex.Errors.Select(e => (e.Field, e.Rule)).ToList());
        await Assert.ThrowsAsync<ArchiveValidationException>(async () => await feed.ReadAsync("12", 10, null, null, Ct));
        Assert.Equal(42, ChangeFeedService.DecodeCursor(ChangeFeedService.EncodeCursor(42)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    public void Private_and_special_addresses_are_forbidden(string address)
        => Assert.True(WebhookUrlGuard.IsPrivateOrSpecial(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address)
        => Assert.False(WebhookUrlGuard.IsPrivateOrSpecial(IPAddress.Parse(address)), address);

    [Fact]
    public async Task A_url_is_checked_by_scheme_and_by_every_address_its_name_resolves_to_and_again_at_connect_time()
    {
        var answers = new Dictionary<string, IPAddress[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["hooks.example.vn"] = [IPAddress.Parse("203.0.113.20")],
            ["mixed.example.vn"] = [IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.0.0.7")],
        };
        Task<IPAddress[]> Resolve(string host, CancellationToken _) => Task.FromResult(answers.TryGetValue(host, out var a) ? a : []);
        var guard = new WebhookUrlGuard(new WebhookOptions(), Resolve);

        Assert.Equal("https://hooks.example.vn/archive", (await guard.CheckAsync("https://hooks.example.vn/archive", Ct)).AbsoluteUri);
        await AssertRuleAsync(WebhookRules.UrlPrivate, "http://mixed.example.vn/hook"); // one private address is enough
        await AssertRuleAsync(WebhookRules.UrlPrivate, "http://127.0.0.1:8080/hook");
        await AssertRuleAsync(WebhookRules.UrlPrivate, "http://[::ffff:192.168.0.1]/hook");
        await AssertRuleAsync(WebhookRules.UrlScheme, "file:///etc/passwd");
        await AssertRuleAsync(WebhookRules.UrlScheme, "gopher://hooks.example.vn/");
        await AssertRuleAsync(WebhookRules.UrlFormat, "https://user:pw@hooks.example.vn/");
        await AssertRuleAsync(WebhookRules.UrlFormat, "hooks.example.vn/no-scheme");
        await AssertRuleAsync(WebhookRules.UrlUnresolved, "https://nowhere.example.vn/");

        // DNS rebinding: the name was public when checked and now answers loopback; the connection is refused.
        answers["hooks.example.vn"] = [IPAddress.Loopback];
        var refused = await Assert.ThrowsAsync<HttpRequestException>(async () => await guard.ConnectAsync(new DnsEndPoint("hooks.example.vn", 443), Ct));
        Assert.Contains(WebhookRules.UrlPrivate, refused.Message, StringComparison.Ordinal);

        // Allowed by configuration: private networks, or a named host.
        Assert.NotNull(await new WebhookUrlGuard(new WebhookOptions { AllowPrivateNetworks = true }, Resolve).CheckAsync("http://127.0.0.1:8080/hook", Ct));
        var named = new WebhookOptions();
        named.AllowedHosts.Add("mixed.example.vn");
        Assert.NotNull(await new WebhookUrlGuard(named, Resolve).CheckAsync("http://mixed.example.vn/hook", Ct));

        async Task AssertRuleAsync(string rule, string url)
        {
            var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await guard.CheckAsync(url, Ct));
            Assert.Equal(("url", rule), (ex.Errors.Single().Field, ex.Errors.Single().Rule));
        }
    }

    [Fact]
    public async Task A_subscription_is_agency_scoped_audited_and_its_secret_is_never_stored_in_what_is_returned()
    {
        await using var h = ArchiveHarness.Create(services: s => s.Configure<WebhookOptions>(o => o.AllowedHosts.Add("hooks.example.vn")));
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Ủy ban nhân dân tỉnh");
        var webhooks = h.Services.GetRequiredService<WebhookService>();
        var other = ArchiveCaller.Authenticated(new ArchiveUser("Lê Văn Khác"), [ArchiveRoles.Archivist], [OtherAgency]);
        var input = new WebhookSubscriptionInput { AgencyId = ArchiveHarness.AgencyId, Url = "https://hooks.example.vn/archive", Events = [WebhookEventKind.RecordFileChanged] };

        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await webhooks.CreateAsync(input, other, ArchiveHarness.User, Ct));
        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await webhooks.CreateAsync(input with { AgencyId = "000.00.00.X99", Events = [], Description = new string('x', 301) }, Archivist, ArchiveHarness.User, Ct));
        Assert.Equal([("agencyId", WebhookRules.AgencyUnknown), ("events", WebhookRules.Events), ("description", WebhookRules.Description)], bad.Errors.Select(e => (e.Field, e.Rule)).ToList());
        Assert.Empty(await webhooks.ListAsync(null, null, Ct).ToListAsync(Ct));

        var created = await webhooks.CreateAsync(input, Archivist, ArchiveHarness.User, Ct);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.Null(await webhooks.GetAsync(created.Subscription.Id, other, Ct));
        Assert.Empty(await webhooks.ListAsync(null, other, Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await webhooks.UpdateAsync(created.Subscription.Id, new WebhookSubscriptionUpdate { Enabled = false }, other, ArchiveHarness.User, Ct));
        Assert.False(await webhooks.DeleteAsync(created.Subscription.Id, other, ArchiveHarness.User, Ct));
        var disabled = await webhooks.UpdateAsync(created.Subscription.Id, new WebhookSubscriptionUpdate { Enabled = false }, Archivist, ArchiveHarness.User, Ct);
        Assert.False(disabled.Enabled);

        var log = h.Services.GetRequiredService<Archive.Audit.IAuditLog>();
        var audited = await log.QueryAsync(new Archive.Audit.AuditQuery { ObjectType = WebhookService.ObjectType }, Ct);
        Assert.Equal(2, audited.Records.Count(r => r.Event.Outcome == Archive.Audit.AuditOutcome.Success));
        Assert.All(audited.Records, r => Assert.DoesNotContain(created.Secret, r.Event.Detail ?? string.Empty, StringComparison.Ordinal));
        Assert.True(await webhooks.DeleteAsync(created.Subscription.Id, Archivist, ArchiveHarness.User, Ct));
        Assert.Null(await webhooks.GetAsync(created.Subscription.Id, null, Ct));
    }
}
