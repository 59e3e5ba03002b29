using System.Net;
using System.Text.Json.Nodes;
using Archive.Api.Security;
using Archive.Api.Tests.Support;
using Archive.Audit;
using Archive.Security;
using Archive.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>Two configured keys with the same name (as keys stored before names were checked can be) and one that expired.</summary>
public sealed class SameNameKeysApiFactory : ApiFactory
{
    public const string SharedName = "ops";

    public string FirstKey { get; } = ApiKeyStore.NewKey();

    public string SecondKey { get; } = ApiKeyStore.NewKey();

    public string ExpiredKey { get; } = ApiKeyStore.NewKey();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var i = 1;
        foreach (var (key, expires) in new[] { (FirstKey, (string?)null), (SecondKey, null), (ExpiredKey, "2020-01-01T00:00:00+07:00") })
        {
            builder.UseSetting($"Archive:Auth:ApiKeys:{i}:Name", SharedName);
            builder.UseSetting($"Archive:Auth:ApiKeys:{i}:KeyHash", ApiKeyStore.Hash(key));
            builder.UseSetting($"Archive:Auth:ApiKeys:{i}:Roles", ArchiveRoles.Administrator);
            if (expires is not null)
            {
                builder.UseSetting($"Archive:Auth:ApiKeys:{i}:ExpiresAt", expires);
            }

            i++;
        }
    }
}

/// <summary>#22 item 2: who did what — principals told apart, key names checked and unique, expiry, rotation.</summary>
public sealed class ApiKeyPrincipalTests(SameNameKeysApiFactory factory) : IClassFixture<SameNameKeysApiFactory>
{
    private const string P = ApiFactory.Prefix;

    private static string IdOf(string key) => ApiKeyStore.Hash(key)[..16];

    [Fact]
    public async Task Two_keys_with_the_same_name_are_different_principals_in_the_history_and_the_audit_trail()
    {
        var admin = factory.CreateClient();
        var (_, fondsCode) = await SeedAsync(admin, "Sở Tư pháp");
        using var first = factory.CreateClientWithKey(factory.FirstKey);
        using var second = factory.CreateClientWithKey(factory.SecondKey);
        var firstFile = await CreateRecordFileAsync(first, fondsCode, "11.TP");
        var secondFile = await CreateRecordFileAsync(second, fondsCode, "12.TP");

        var firstHistory = (await first.GetAsync($"{FileUrl(firstFile)}/history", Ct).ExpectAsync(200)).AsArray();
        var secondHistory = (await first.GetAsync($"{FileUrl(secondFile)}/history", Ct).ExpectAsync(200)).AsArray();
        Assert.Equal(SameNameKeysApiFactory.SharedName, (string?)firstHistory[0]!["userName"]);
        Assert.Equal(SameNameKeysApiFactory.SharedName, (string?)secondHistory[0]!["userName"]);
        Assert.Equal("apikey:" + IdOf(factory.FirstKey), (string?)firstHistory[0]!["userAddress"]);
        Assert.Equal("apikey:" + IdOf(factory.SecondKey), (string?)secondHistory[0]!["userAddress"]);

        // The audit trail: filter by principal id; the change events name the principal, reads carry roles too.
        await first.GetAsync(FileUrl(firstFile), Ct).ExpectAsync(200);
        var byFirst = (await admin.GetAsync($"{P}/audit/records?actorId={Uri.EscapeDataString("apikey:" + IdOf(factory.FirstKey))}&pageSize=1000", Ct).ExpectAsync(200))["items"]!.AsArray();
        Assert.Contains(byFirst, r => (string?)r!["action"] == AuditActions.Change && (string?)r["objectId"] == firstFile);
        Assert.DoesNotContain(byFirst, r => (string?)r!["objectId"] == secondFile);
        var read = Assert.Single(byFirst, r => (string?)r!["action"] == AuditActions.RecordRead && (string?)r["objectId"] == firstFile);
        Assert.Equal(SameNameKeysApiFactory.SharedName, (string?)read!["actor"]);
        Assert.Equal([ArchiveRoles.Administrator], read["actorRoles"]!.AsArray().Select(r => (string?)r));
        var bySecond = (await admin.GetAsync($"{P}/audit/records?actorId={Uri.EscapeDataString("apikey:" + IdOf(factory.SecondKey))}&pageSize=1000", Ct).ExpectAsync(200))["items"]!.AsArray();
        Assert.Contains(bySecond, r => (string?)r!["action"] == AuditActions.Change && (string?)r["objectId"] == secondFile);
        Assert.DoesNotContain(bySecond, r => (string?)r!["objectId"] == firstFile);

        // The list reports the shared name.
        var list = (await admin.GetAsync($"{P}/api-keys", Ct).ExpectAsync(200)).AsArray();
        Assert.All(list.Where(k => (string?)k!["name"] == SameNameKeysApiFactory.SharedName), k => Assert.True((bool)k!["duplicateName"]!));
        Assert.False((bool)list.Single(k => (string?)k!["name"] == ApiFactory.AdminKeyName)!["duplicateName"]!);
    }

    [Fact]
    public async Task Key_names_are_checked_and_unique_and_agencies_must_be_registered()
    {
        var admin = factory.CreateClient();
        var (agencyId, _) = await SeedAsync(admin, "Sở Xây dựng");
        foreach (var bad in new[] { "ops\nadmin", "<b>ops</b>", "ops\u200B", "ops\u202Enimda", "  ", new string('a', 101), "ops  two", "оps" /* Cyrillic о */ })
        {
            await admin.PostAsync($"{P}/api-keys", Json(new { name = bad, roles = new[] { "clerk" } }), Ct).ExpectProblemAsync(422, "name", "apikey.name-format");
        }

        var created = await admin.PostAsync($"{P}/api-keys", Json(new { name = "Văn thư Sở Xây dựng", roles = new[] { "clerk" }, agencies = new[] { agencyId } }), Ct).ExpectAsync(201);
        Assert.Equal("apikey:" + (string)created["id"]!, (string?)created["principalId"]);
        Assert.Equal("valid", (string?)created["status"]);

        // Same name in another case, or decomposed (NFD) instead of composed: taken. So is a configured key's name.
        await admin.PostAsync($"{P}/api-keys", Json(new { name = "VĂN THƯ SỞ XÂY DỰNG", roles = new[] { "clerk" } }), Ct).ExpectProblemAsync(422, "name", "apikey.name-taken");
        await admin.PostAsync($"{P}/api-keys", Json(new { name = "Văn thư Sở Xây dựng".Normalize(System.Text.NormalizationForm.FormD), roles = new[] { "clerk" } }), Ct).ExpectProblemAsync(422, "name", "apikey.name-taken");
        await admin.PostAsync($"{P}/api-keys", Json(new { name = ApiFactory.AdminKeyName, roles = new[] { "clerk" } }), Ct).ExpectProblemAsync(422, "name", "apikey.name-taken");

        // Revoking does not free the name (it keeps naming that key in the history).
        await admin.DeleteAsync($"{P}/api-keys/{(string)created["id"]!}", Ct).ExpectAsync(200);
        await admin.PostAsync($"{P}/api-keys", Json(new { name = "văn thư sở xây dựng", roles = new[] { "clerk" } }), Ct).ExpectProblemAsync(422, "name", "apikey.name-taken");

        await admin.PostAsync($"{P}/api-keys", Json(new { name = "Văn thư khác", roles = new[] { "clerk" }, agencies = new[] { "000.00.99.Z99" } }), Ct).ExpectProblemAsync(422, "agencies", "apikey.agency-unknown");
        await admin.PostAsync($"{P}/api-keys", Json(new { name = "Văn thư khác", roles = new[] { "clerk" }, expiresAt = DateTimeOffset.UtcNow.AddDays(-1) }), Ct).ExpectProblemAsync(422, "expiresAt", "apikey.expires-past");
        var list = (await admin.GetAsync($"{P}/api-keys", Ct).ExpectAsync(200)).AsArray();
        Assert.DoesNotContain(list, k => (string?)k!["name"] == "Văn thư khác"); // nothing stored
    }

    [Fact]
    public async Task An_expired_key_fails_with_its_own_reason_and_shows_as_expired()
    {
        using var expired = factory.CreateClientWithKey(factory.ExpiredKey);
        await expired.GetAsync($"{P}/agencies", Ct).ExpectProblemAsync(401);

        var admin = factory.CreateClient();
        var failures = (await admin.GetAsync($"{P}/audit/records?action=auth.failed&actorId={Uri.EscapeDataString("apikey:" + IdOf(factory.ExpiredKey))}", Ct).ExpectAsync(200))["items"]!.AsArray();
        var failure = Assert.Single(failures);
        Assert.Equal("expired API key", (string?)failure!["detail"]);
        var listed = (await admin.GetAsync($"{P}/api-keys", Ct).ExpectAsync(200)).AsArray().Single(k => (string?)k!["id"] == IdOf(factory.ExpiredKey));
        Assert.Equal("expired", (string?)listed!["status"]);
        Assert.NotNull(listed["expiresAt"]);

        // A key created with an expiry in the future works and shows it.
        var created = await admin.PostAsync($"{P}/api-keys", Json(new { name = "tạm thời", roles = new[] { "clerk" }, expiresAt = DateTimeOffset.UtcNow.AddHours(1) }), Ct).ExpectAsync(201);
        Assert.NotNull(created["expiresAt"]);
        using var temporary = factory.CreateClientWithKey((string)created["key"]!);
        await temporary.GetAsync($"{P}/agencies", Ct).ExpectAsync(200);
    }

    [Fact]
    public async Task Rotation_issues_a_new_secret_for_the_same_key_and_the_old_one_works_for_the_overlap_only()
    {
        var admin = factory.CreateClient();
        var created = await admin.PostAsync($"{P}/api-keys", Json(new { name = "e-office xoay", roles = new[] { "clerk" } }), Ct).ExpectAsync(201);
        var id = (string)created["id"]!;
        var oldKey = (string)created["key"]!;

        var rotated = await admin.PostAsync($"{P}/api-keys/{id}/rotate", Json(new { overlapSeconds = 3600 }), Ct).ExpectAsync(200);
        var newKey = (string)rotated["key"]!;
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(id, (string?)rotated["id"]);
        Assert.Equal("e-office xoay", (string?)rotated["name"]);
        Assert.NotNull(rotated["previousKeyValidUntil"]);
        using (var o = factory.CreateClientWithKey(oldKey))
        using (var n = factory.CreateClientWithKey(newKey))
        {
            await o.GetAsync($"{P}/agencies", Ct).ExpectAsync(200); // within the overlap
            await n.GetAsync($"{P}/agencies", Ct).ExpectAsync(200);
        }

        // Without overlap the previous secret stops at once; the rotation is audited.
        var again = await admin.PostAsync($"{P}/api-keys/{id}/rotate", Json(new { overlapSeconds = 0 }), Ct).ExpectAsync(200);
        using (var n = factory.CreateClientWithKey(newKey))
        using (var latest = factory.CreateClientWithKey((string)again["key"]!))
        {
            await n.GetAsync($"{P}/agencies", Ct).ExpectProblemAsync(401);
            await latest.GetAsync($"{P}/agencies", Ct).ExpectAsync(200);
        }

        var list = (await admin.GetAsync($"{P}/api-keys", Ct).ExpectAsync(200)).AsArray();
        Assert.Single(list, k => (string?)k!["id"] == id);
        var audit = (await admin.GetAsync($"{P}/audit/records?action=apikey.rotate&objectId={id}", Ct).ExpectAsync(200))["items"]!.AsArray();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, e => Assert.Equal("apikey:" + IdOf(factory.AdminKey), (string?)e!["actorId"]));

        await admin.PostAsync($"{P}/api-keys/{id}/rotate", Json(new { overlapSeconds = 999_999 }), Ct).ExpectProblemAsync(422, "overlapSeconds", "apikey.overlap");
        await admin.PostAsync($"{P}/api-keys/0123456789abcdef/rotate", Json(new { }), Ct).ExpectProblemAsync(404);
        await admin.DeleteAsync($"{P}/api-keys/{id}", Ct).ExpectAsync(200);
        await admin.PostAsync($"{P}/api-keys/{id}/rotate", Json(new { }), Ct).ExpectProblemAsync(422, "id", "apikey.revoked");
    }
}

/// <summary>The key store on a clock: the end of a rotation's overlap and of a key's lifetime (#22 item 2).</summary>
public sealed class ApiKeyStoreClockTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "archive-apikey-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private (ApiKeyStore Store, FakeTimeProvider Clock) NewStore(TimeSpan? lifetime = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var options = new Mock<IOptionsMonitor<ArchiveAuthOptions>>();
        options.Setup(o => o.CurrentValue).Returns(new ArchiveAuthOptions { ApiKeyLifetime = lifetime, ApiKeyCacheDuration = TimeSpan.FromSeconds(30) });
        var objects = new Archive.Storage.FileSystem.FileSystemObjectStore(new Archive.Storage.FileSystem.FileSystemStoreOptions { RootPath = _folder });
        return (new ApiKeyStore(objects, options.Object, clock), clock);
    }

    private static ArchiveCaller Admin => ArchiveCaller.Authenticated(new Archive.Records.ArchiveUser("quản trị"), [ArchiveRoles.Administrator], principalId: "apikey:feedfacefeedface");

    [Fact]
    public async Task The_previous_secret_stops_when_the_overlap_ends_and_a_key_expires_after_its_lifetime()
    {
        var (store, clock) = NewStore(lifetime: TimeSpan.FromDays(90));
        var (oldKey, record) = await store.CreateAsync(new ApiKeySpec("tích hợp", ["clerk"]), Admin, Ct);
        Assert.Equal(clock.GetUtcNow().AddDays(90), record.ExpiresAt);

        var rotated = await store.RotateAsync(record.Id, TimeSpan.FromHours(1), null, Admin, Ct);
        var newKey = rotated!.Value.Key;
        Assert.Equal(record.Id, rotated.Value.Record.Id);
        Assert.Equal(ApiKeyStatus.Valid, (await store.CheckAsync(oldKey, Ct)).Status);

        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(ApiKeyStatus.Replaced, (await store.CheckAsync(oldKey, Ct)).Status);
        Assert.Equal(ApiKeyStatus.Valid, (await store.CheckAsync(newKey, Ct)).Status);
        Assert.Null(await store.FindAsync(oldKey, Ct));

        clock.Advance(TimeSpan.FromDays(90));
        var expired = await store.CheckAsync(newKey, Ct);
        Assert.Equal(ApiKeyStatus.Expired, expired.Status);
        Assert.Equal(record.Id, expired.Record!.Id);
        Assert.Equal(ApiKeyStatus.Unknown, (await store.CheckAsync(ApiKeyStore.NewKey(), Ct)).Status);

        // Revoking the key revokes every secret of it.
        var (k2, r2) = await store.CreateAsync(new ApiKeySpec("tích hợp 2", ["clerk"]), Admin, Ct);
        var r2b = await store.RotateAsync(r2.Id, TimeSpan.FromHours(1), null, Admin, Ct);
        await store.RevokeAsync(r2.Id, Admin, Ct);
        Assert.Equal(ApiKeyStatus.Revoked, (await store.CheckAsync(k2, Ct)).Status);
        Assert.Equal(ApiKeyStatus.Revoked, (await store.CheckAsync(r2b!.Value.Key, Ct)).Status);
    }

    [Fact]
    public async Task Known_keys_are_answered_from_memory_and_unknown_ones_read_no_record()
    {
        var (store, _) = NewStore();
        var (key, _) = await store.CreateAsync(new ApiKeySpec("đã biết", ["clerk"]), Admin, Ct);
        Assert.True(await store.IsKnownAsync(key, Ct));
        Assert.False(await store.IsKnownAsync(ApiKeyStore.NewKey(), Ct));

        // A second process (a new store over the same folder) knows it from the listing.
        var (other, _) = NewStore();
        Assert.True(await other.IsKnownAsync(key, Ct));
    }
}

/// <summary>#22 item 4: the failure tracker's keys and its memory bound.</summary>
public sealed class AuthenticationFailureTrackerTests
{
    private static AuthenticationFailureTracker NewTracker(int limit = 3)
    {
        var options = new Mock<IOptionsMonitor<ArchiveAuthOptions>>();
        options.Setup(o => o.CurrentValue).Returns(new ArchiveAuthOptions { MaxFailedAuthentications = limit });
        return new AuthenticationFailureTracker(options.Object, new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    [Fact]
    public void An_ipv6_host_counts_with_its_64_prefix_and_ipv4_mapped_addresses_as_ipv4()
    {
        Assert.Equal("2001:db8:1:2::/64", AuthenticationFailureTracker.KeyOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        Assert.Equal("203.0.113.7", AuthenticationFailureTracker.KeyOf("::ffff:203.0.113.7"));
        var tracker = NewTracker();
        tracker.RecordFailure("2001:db8:1:2::1");
        tracker.RecordFailure("2001:db8:1:2::2");
        tracker.RecordFailure("2001:db8:1:2::3");
        Assert.True(tracker.IsThrottled("2001:db8:1:2::ffff", out _));
        Assert.False(tracker.IsThrottled("2001:db8:1:3::1", out _));
    }

    [Fact]
    public void Spraying_addresses_keeps_memory_bounded_and_throttled_addresses_stay_throttled()
    {
        var tracker = NewTracker();
        for (var i = 0; i < 3; i++)
        {
            tracker.RecordFailure("198.51.100.1");
        }

        for (var i = 0; i < AuthenticationFailureTracker.MaxTrackedAddresses + 5_000; i++)
        {
            tracker.RecordFailure(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)).ToString());
        }

        Assert.True(tracker.Count <= AuthenticationFailureTracker.MaxTrackedAddresses);
        Assert.True(tracker.IsThrottled("198.51.100.1", out _));
    }
}

/// <summary>Every request comes from 203.0.113.7 (see <see cref="AuditedApiFactory"/>), which is a trusted proxy here.</summary>
public sealed class TrustedProxyApiFactory : AuditedApiFactory
{
    protected override int MaxFailedAuthentications => 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Archive:Api:TrustedProxies:0", ClientAddress);
    }
}

/// <summary>Trusted proxies are elsewhere: the peer 203.0.113.7 is not one of them.</summary>
public sealed class UntrustedPeerApiFactory : AuditedApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Archive:Api:TrustedNetworks:0", "10.0.0.0/8");
    }
}

/// <summary>#22 item 4: X-Forwarded-For only from configured proxies; throttling by the forwarded address.</summary>
public sealed class TrustedProxyTests(TrustedProxyApiFactory factory) : IClassFixture<TrustedProxyApiFactory>
{
    private static HttpClient From(HttpClient client, string forwardedFor)
    {
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_address_is_audited_and_throttled()
    {
        for (var i = 0; i < 3; i++)
        {
            using var guess = From(factory.CreateClientWithKey("ak_bad" + i), "198.51.100.20");
            await guess.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectProblemAsync(401);
        }

        var failure = factory.Audit.Events.Last(e => e.Action == AuditActions.AuthenticationFailed);
        Assert.Equal("198.51.100.20", failure.ClientAddress);
        Assert.Equal("anonymous", failure.ActorId);

        using (var again = From(factory.CreateClientWithKey("ak_bad-again"), "198.51.100.20"))
        {
            using var refused = await again.GetAsync($"{ApiFactory.Prefix}/agencies", Ct);
            Assert.Equal(429, (int)refused.StatusCode);
        }

        // Another client behind the same proxy is not throttled by the first one's failures.
        using (var other = From(factory.CreateClientWithKey("ak_other"), "198.51.100.21"))
        {
            await other.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectProblemAsync(401);
        }

        using var admin = From(factory.CreateClient(), "198.51.100.20");
        await admin.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectAsync(200);
    }
}

public sealed class UntrustedPeerTests(UntrustedPeerApiFactory factory) : IClassFixture<UntrustedPeerApiFactory>
{
    [Fact]
    public async Task X_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored()
    {
        using var guess = factory.CreateClientWithKey("ak_spoof");
        guess.DefaultRequestHeaders.Add("X-Forwarded-For", "192.0.2.99");
        await guess.GetAsync($"{ApiFactory.Prefix}/agencies", Ct).ExpectProblemAsync(401);
        var failure = factory.Audit.Events.Last(e => e.Action == AuditActions.AuthenticationFailed);
        Assert.Equal(AuditedApiFactory.ClientAddress, failure.ClientAddress);
    }
}

/// <summary><c>archive-server apikey create|list|rotate|revoke</c> (#22 item 2), run as the real server process.</summary>
public sealed class ApiKeyCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "archive-apikey-cli", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ServerProcess.ServerDll);
        info.ArgumentList.Add("apikey");
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--Archive:DataPath=" + _data);
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task The_cli_checks_names_and_agencies_sets_expiry_rotates_and_reports_duplicate_names()
    {
        var created = await RunAsync("create", "--name", "ops", "--roles", "administrator");
        Assert.True(created.Exit == 0, created.Output + created.Error);
        var key = created.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("ak_", StringComparison.Ordinal));
        var id = ApiKeyStore.Hash(key)[..16];

        var taken = await RunAsync("create", "--name", "OPS", "--roles", "clerk");
        Assert.Equal(2, taken.Exit);
        Assert.Contains("apikey.name-taken", taken.Error, StringComparison.Ordinal);
        var markup = await RunAsync("create", "--name", "<script>", "--roles", "clerk");
        Assert.Equal(2, markup.Exit);
        Assert.Contains("apikey.name-format", markup.Error, StringComparison.Ordinal);
        var unknownAgency = await RunAsync("create", "--name", "văn thư", "--roles", "clerk", "--agencies", "000.00.99.Z99");
        Assert.Equal(2, unknownAgency.Exit);
        Assert.Contains("apikey.agency-unknown", unknownAgency.Error, StringComparison.Ordinal);
        var prepared = await RunAsync("create", "--name", "văn thư", "--roles", "clerk", "--agencies", "000.00.99.Z99", "--allow-unregistered-agencies", "--expires", "30d");
        Assert.True(prepared.Exit == 0, prepared.Output + prepared.Error);
        Assert.Contains("expires", prepared.Output, StringComparison.Ordinal);

        var rotated = await RunAsync("rotate", id, "--overlap", "1h");
        Assert.True(rotated.Exit == 0, rotated.Output + rotated.Error);
        Assert.Contains("works until", rotated.Output, StringComparison.Ordinal);
        var newKey = rotated.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("ak_", StringComparison.Ordinal));
        Assert.NotEqual(key, newKey);

        // A key stored before names were checked, with the same name: it keeps working, and list reports the clash.
        var legacyHash = ApiKeyStore.Hash(ApiKeyStore.NewKey());
        var legacy = new ApiKeyRecord { Id = legacyHash[..16], Name = "Ops", KeyHash = legacyHash, Roles = ["clerk"], CreatedAt = DateTimeOffset.UtcNow };
        using (var objects = new Archive.Storage.FileSystem.FileSystemObjectStore(new Archive.Storage.FileSystem.FileSystemStoreOptions { RootPath = Path.Combine(_data, "store") }))
        {
            await objects.PutBytesAsync(ApiKeyStore.Prefix + legacyHash + ".json", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(legacy, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)), cancellationToken: Ct);
        }

        var list = await RunAsync("list");
        Assert.True(list.Exit == 0, list.Output + list.Error);
        var lines = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ops = Assert.Single(lines, l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains("previous secret valid until", ops, StringComparison.Ordinal);
        Assert.Contains("DUPLICATE NAME", ops, StringComparison.Ordinal);
        Assert.Contains("DUPLICATE NAME", Assert.Single(lines, l => l.StartsWith(legacyHash[..16], StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("valid until", Assert.Single(lines, l => l.Contains("văn thư", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("Warning", list.Error, StringComparison.Ordinal);

        var revoked = await RunAsync("revoke", id);
        Assert.Equal(0, revoked.Exit);
        Assert.Contains("revoked", (await RunAsync("list")).Output.Split('\n').Single(l => l.StartsWith(id, StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
