using Archive.Access;
using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Archive.Core.Tests.Access;

/// <summary>Researchers' access requests for conditional records (issue #19 item 3): request, decision, time-limited grant, audited reads.</summary>
public sealed class AccessRequestServiceTests
{
    private const string OtherAgency = "000.00.00.H49";
    private const string OtherFonds = "P-H49";
    private static readonly ArchiveCaller Researcher = ArchiveCaller.Authenticated(new ArchiveUser("Nguyễn Thị Độc Giả"), [ArchiveRoles.Researcher], principalId: "apikey:reader-1");
    private static readonly ArchiveCaller OtherResearcher = ArchiveCaller.Authenticated(new ArchiveUser("Trần Văn Khác"), [ArchiveRoles.Researcher], principalId: "apikey:reader-2");
    private static readonly ArchiveCaller Archivist = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], principalId: "apikey:archivist");
    private static readonly ArchiveCaller OtherArchivist = ArchiveCaller.Authenticated(new ArchiveUser("Lê Văn Khác"), [ArchiveRoles.Archivist], [OtherAgency], principalId: "apikey:other");
    private static readonly ArchiveCaller Clerk = ArchiveCaller.Authenticated(new ArchiveUser("Văn thư"), [ArchiveRoles.Clerk], [ArchiveHarness.AgencyId], principalId: "apikey:clerk");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Setup(ArchiveHarness H, AccessRequestService Requests, ArchiveAccessPolicy Policy, FakeTimeProvider Time, string Conditional, string Secret, string Public, string NotAccessioned) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => H.DisposeAsync();

        /// <summary>A fresh caller per "request", as the hosts build them (grants are remembered per caller).</summary>
        public static ArchiveCaller Fresh(ArchiveCaller c) => ArchiveCaller.Authenticated(c.User, c.Roles, c.Agencies, c.HasSecretClearance, null, c.PrincipalId);
    }

    private static async Task<Setup> SeededAsync()
    {
        var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Ủy ban nhân dân tỉnh");
        async Task<string> File(string notation, AccessLevel rights, bool accession, string subject = "Về việc sắp xếp tổ chức bộ máy")
        {
            var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(notation) with { Rights = rights, Maintenance = Archive.Retention.RetentionPeriod.Permanent }, ArchiveHarness.User, Ct)).Stored.Value.FileCode;
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(subject: subject), null, ArchiveHarness.User, Ct);
            if (accession)
            {
                await h.Files.MarkAccessionedAsync(code, new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), "BB 01/2025", null, ArchiveHarness.User, Ct);
            }

            return code;
        }

        var conditional = await File("01.DK", AccessLevel.Conditional, true, "Công văn về phố Khâm Thiên");
        var secret = await File("02.MAT", AccessLevel.Secret, true, "Công văn mật Tràng Tiền");
        var open = await File("03.CK", AccessLevel.Public, true);
        var notAccessioned = await File("04.DK", AccessLevel.Conditional, false);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
        var storage = h.Services.GetRequiredService<ArchiveStorage>();
        var audit = h.Services.GetRequiredService<IAuditTrail>();
        var requests = new AccessRequestService(storage.Open(AccessRequestService.RequestsRoot), h.Files, h.Fonds, new AccessRequestOptions { DefaultValidDays = 14, MaxValidDays = 60, MaxTextLength = 200 }, audit, time, search: h.Search);
        var policy = new ArchiveAccessPolicy(h.Fonds, audit, null, h.Files, requests);
        return new Setup(h, requests, policy, time, conditional, secret, open, notAccessioned);
    }

    private static async Task<int> CountAsync(AccessRequestService requests) => (await requests.ListAsync(new AccessRequestQuery(), null, Ct).ToListAsync(Ct)).Count;

    [Fact]
    public async Task A_request_is_refused_by_field_and_rule_and_stores_nothing()
    {
        await using var s = await SeededAsync();

        var notResearcher = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await s.Requests.RequestAsync(s.Conditional, "Nghiên cứu lịch sử", Archivist, Ct));
        Assert.Equal(("role", AccessRequestRules.ResearcherOnly), (notResearcher.Field, notResearcher.Rule));
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await s.Requests.RequestAsync(s.Conditional, "Nghiên cứu lịch sử", ArchiveCaller.Anonymous(), Ct));

        var empty = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await s.Requests.RequestAsync(s.Conditional, "  ", Researcher, Ct));
        Assert.Equal(("purpose", "required"), (empty.Errors.Single().Field, empty.Errors.Single().Rule));
        var tooLong = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await s.Requests.RequestAsync(s.Conditional, new string('a', 201), Researcher, Ct));
        Assert.Equal(("purpose", "max-length"), (tooLong.Errors.Single().Field, tooLong.Errors.Single().Rule));

        // Secret, not accessioned and unknown record files: the same answer as an unknown one.
        var unknown = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await s.Requests.RequestAsync("000.00.00.G09.2015.99.XX", "Nghiên cứu", Researcher, Ct));
        var secret = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await s.Requests.RequestAsync(s.Secret, "Nghiên cứu", Researcher, Ct));
        var hidden = await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await s.Requests.RequestAsync(s.NotAccessioned, "Nghiên cứu", Researcher, Ct));
        Assert.Equal(unknown.Message.Replace("000.00.00.G09.2015.99.XX", "X", StringComparison.Ordinal), secret.Message.Replace(s.Secret, "X", StringComparison.Ordinal));
        Assert.Equal(unknown.Message.Replace("000.00.00.G09.2015.99.XX", "X", StringComparison.Ordinal), hidden.Message.Replace(s.NotAccessioned, "X", StringComparison.Ordinal));

        var open = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await s.Requests.RequestAsync(s.Public, "Nghiên cứu", Researcher, Ct));
        Assert.Equal(("fileCode", AccessRequestRules.NotConditional), (open.Errors.Single().Field, open.Errors.Single().Rule));
        Assert.Equal(0, await CountAsync(s.Requests));

        var stored = await s.Requests.RequestAsync(s.Conditional, "Nghiên cứu lịch sử tổ chức bộ máy", Researcher, Ct);
        Assert.Equal((AccessRequestStatus.Pending, "apikey:reader-1", 1), (stored.Value.Status, stored.Value.ResearcherId, stored.Version));
        var again = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await s.Requests.RequestAsync(s.Conditional, "Lần nữa", Researcher, Ct));
        Assert.Equal(AccessRequestRules.AlreadyPending, again.Rule);
        Assert.Equal(1, await CountAsync(s.Requests));
    }

    [Fact]
    public async Task Only_an_archivist_of_the_holding_archives_decides_once_within_the_maximum_validity()
    {
        await using var s = await SeededAsync();
        var id = (await s.Requests.RequestAsync(s.Conditional, "Viết luận văn về cải cách hành chính", Researcher, Ct)).Value.Id;

        // Who may see it: the researcher, the holding archives' staff; not another researcher, not another agency.
        Assert.NotNull(await s.Requests.GetAsync(id, Researcher, Ct));
        Assert.Null(await s.Requests.GetAsync(id, OtherResearcher, Ct));
        Assert.Null(await s.Requests.GetAsync(id, OtherArchivist, Ct));
        Assert.Single(await s.Requests.ListPendingAsync(Archivist, Ct).ToListAsync(Ct));
        Assert.Empty(await s.Requests.ListPendingAsync(OtherArchivist, Ct).ToListAsync(Ct));
        Assert.Empty(await s.Requests.ListMineAsync(OtherResearcher, cancellationToken: Ct).ToListAsync(Ct));

        var other = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await s.Requests.ApproveAsync(id, 10, null, OtherArchivist, OtherArchivist.User, Ct));
        Assert.Equal(("fondsCode", AccessRules.AgencyScope), (other.Field, other.Rule));
        var clerk = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await s.Requests.ApproveAsync(id, 10, null, Clerk, Clerk.User, Ct));
        Assert.Equal(("role", AccessRequestRules.ArchivistOnly), (clerk.Field, clerk.Rule));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await s.Requests.ApproveAsync(id, 10, null, Researcher, Researcher.User, Ct));
        foreach (var days in new[] { 0, 61, -3 })
        {
            var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await s.Requests.ApproveAsync(id, days, null, Archivist, ArchiveHarness.User, Ct));
            Assert.Equal(("validDays", AccessRequestRules.Validity), (bad.Errors.Single().Field, bad.Errors.Single().Rule));
        }

        var refuseEmpty = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await s.Requests.RefuseAsync(id, "", null, Archivist, ArchiveHarness.User, Ct));
        Assert.Equal(("reason", "required"), (refuseEmpty.Errors.Single().Field, refuseEmpty.Errors.Single().Rule));
        Assert.Equal((AccessRequestStatus.Pending, 1), ((await s.Requests.GetAsync(id, null, Ct))!.Value.Status, (await s.Requests.GetAsync(id, null, Ct))!.Version));

        var approved = await s.Requests.ApproveAsync(id, null, null, Archivist, ArchiveHarness.User, Ct);
        Assert.Equal(AccessRequestStatus.Approved, approved.Value.Status);
        Assert.Equal(s.Time.GetUtcNow().AddDays(14), approved.Value.ValidUntil); // the configured default
        Assert.StartsWith("G-", approved.Value.GrantId, StringComparison.Ordinal);
        var twice = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await s.Requests.ApproveAsync(id, 5, null, Archivist, ArchiveHarness.User, Ct));
        Assert.Equal(AccessRequestRules.NotPending, twice.Rule);
        await Assert.ThrowsAsync<ArchiveConflictException>(async () => await s.Requests.RefuseAsync(id, "Muộn", null, Archivist, ArchiveHarness.User, Ct));
        Assert.Equal(2, (await s.Requests.GetAsync(id, null, Ct))!.Version);
        Assert.Equal(approved.Value.GrantId, (await s.Requests.GetAsync(id, null, Ct))!.Value.GrantId);
    }

    [Fact]
    public async Task A_grant_lets_its_researcher_read_audited_until_it_expires_or_is_revoked()
    {
        await using var s = await SeededAsync();
        var file = await s.H.Files.GetAsync(s.Conditional, Ct);

        // Without a grant a conditional record file stays closed (answered as missing).
        Assert.False(await s.Policy.CanReadAsync(Setup.Fresh(Researcher), file!.Value, Ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await s.Policy.RequireReadAsync(Setup.Fresh(Researcher), file, s.Conditional, Ct));

        var id = (await s.Requests.RequestAsync(s.Conditional, "Nghiên cứu", Researcher, Ct)).Value.Id;
        Assert.False(await s.Policy.CanReadAsync(Setup.Fresh(Researcher), file.Value, Ct)); // pending is no grant
        var grant = (await s.Requests.ApproveAsync(id, 3, null, Archivist, ArchiveHarness.User, Ct)).Value.GrantId!;

        var reader = Setup.Fresh(Researcher);
        await s.Policy.RequireReadAsync(reader, file, s.Conditional, Ct);
        await s.Policy.AuditReadAsync(reader, AuditActions.ContentRead, "content", s.Conditional + "/1/a.pdf", "v2", Ct);
        Assert.False(await s.Policy.CanReadAsync(Setup.Fresh(OtherResearcher), file.Value, Ct)); // the grant is the researcher's only
        Assert.False(await s.Policy.CanReadAsync(Setup.Fresh(Researcher), (await s.H.Files.GetAsync(s.Secret, Ct))!.Value, Ct));

        var reads = await s.H.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { ActorId = "apikey:reader-1", Action = AuditActions.ContentRead }, Ct);
        Assert.Equal("v2; under access grant " + grant, Assert.Single(reads.Records).Event.Detail);

        // Expiry: the grant stops at once, the request shows Expired, and a new request may be made.
        s.Time.Advance(TimeSpan.FromDays(3));
        Assert.False(await s.Policy.CanReadAsync(Setup.Fresh(Researcher), file.Value, Ct));
        Assert.Equal(AccessRequestStatus.Expired, (await s.Requests.GetAsync(id, Researcher, Ct))!.Value.StatusAt(s.Time.GetUtcNow()));
        Assert.Single(await s.Requests.ListAsync(new AccessRequestQuery { Status = AccessRequestStatus.Expired }, Archivist, Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<ArchiveConflictException>(async () => await s.Requests.RevokeAsync(id, "Hết hạn rồi", null, Archivist, ArchiveHarness.User, Ct));
        Assert.Equal(AccessRequestStatus.Pending, (await s.Requests.RequestAsync(s.Conditional, "Gia hạn nghiên cứu", Researcher, Ct)).Value.Status);

        // Revocation: a new grant, revoked, stops at once.
        var second = (await s.Requests.ApproveAsync(id, 30, null, Archivist, ArchiveHarness.User, Ct)).Value;
        Assert.NotEqual(grant, second.GrantId);
        Assert.True(await s.Policy.CanReadAsync(Setup.Fresh(Researcher), file.Value, Ct));
        var revoked = await s.Requests.RevokeAsync(id, "Vi phạm nội quy phòng đọc", null, Archivist, ArchiveHarness.User, Ct);
        Assert.Equal((AccessRequestStatus.Revoked, "Vi phạm nội quy phòng đọc"), (revoked.Value.Status, revoked.Value.Reason));
        Assert.False(await s.Policy.CanReadAsync(Setup.Fresh(Researcher), file.Value, Ct));
        var again = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await s.Requests.RevokeAsync(id, "Lần nữa", null, Archivist, ArchiveHarness.User, Ct));
        Assert.Equal(AccessRequestRules.NotGranted, again.Rule);

        // The researcher's list shows each state; every change is a version in the audit trail.
        var mine = Assert.Single(await s.Requests.ListMineAsync(Researcher, cancellationToken: Ct).ToListAsync(Ct));
        Assert.Equal(AccessRequestStatus.Revoked, mine.Value.StatusAt(s.Time.GetUtcNow()));
        Assert.Equal(5, (await s.Requests.GetHistoryAsync(id, Researcher, Ct)).Count);
        var changes = await s.H.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { ObjectType = "access-requests", ObjectId = id }, Ct);
        Assert.Equal(5, changes.Records.Count);
        Assert.Contains(changes.Records, r => r.Event.Detail!.Contains("grant " + grant, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_names_its_reason_and_a_new_request_may_follow()
    {
        await using var s = await SeededAsync();
        var id = (await s.Requests.RequestAsync(s.Conditional, "Nghiên cứu", Researcher, Ct)).Value.Id;
        var tooLong = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await s.Requests.RefuseAsync(id, new string('x', 201), null, Archivist, ArchiveHarness.User, Ct));
        Assert.Equal(("reason", "max-length"), (tooLong.Errors.Single().Field, tooLong.Errors.Single().Rule));
        var refused = await s.Requests.RefuseAsync(id, "Mục đích chưa rõ", null, null, ArchiveHarness.User, Ct); // offline operator
        Assert.Equal((AccessRequestStatus.Refused, "Mục đích chưa rõ", null), (refused.Value.Status, refused.Value.Reason, refused.Value.GrantId));
        Assert.False(await s.Policy.CanReadAsync(Setup.Fresh(Researcher), (await s.H.Files.GetAsync(s.Conditional, Ct))!.Value, Ct));
        Assert.Equal(3, (await s.Requests.RequestAsync(s.Conditional, "Nghiên cứu lịch sử địa phương", Researcher, Ct)).Version);
    }

    [Fact]
    public async Task The_catalogue_finds_conditional_files_by_their_description_only_never_text_nor_secret_ones()
    {
        await using var s = await SeededAsync();
        Assert.NotEmpty((await s.H.SearchAsync("Khâm Thiên")).Hits); // projected and visible to staff
        Assert.NotEmpty((await s.H.SearchAsync("Tràng Tiền")).Hits);

        var all = await s.Requests.SearchCatalogueAsync("tổ chức bộ máy", 20, null, Setup.Fresh(Researcher), Ct);
        var entry = Assert.Single(all.Items);
        Assert.Equal((s.Conditional, 1L), (entry.FileCode, all.Total));
        Assert.StartsWith("Hồ sơ về việc sắp xếp", entry.Title, StringComparison.Ordinal);
        Assert.Null(entry.MyRequest);

        // A word only in a document of the conditional file, or of the secret one, finds nothing.
        foreach (var word in new[] { "Khâm Thiên", "Tràng Tiền", "mật" })
        {
            var none = await s.Requests.SearchCatalogueAsync(word, 20, null, Setup.Fresh(Researcher), Ct);
            Assert.Equal((0L, 0), (none.Total, none.Items.Count));
        }

        var id = (await s.Requests.RequestAsync(s.Conditional, "Nghiên cứu", Researcher, Ct)).Value.Id;
        var mine = Assert.Single((await s.Requests.SearchCatalogueAsync(null, 20, null, Setup.Fresh(Researcher), Ct)).Items).MyRequest;
        Assert.Equal((id, AccessRequestStatus.Pending), (mine!.Id, mine.Status));
        Assert.Null(Assert.Single((await s.Requests.SearchCatalogueAsync(null, 20, null, Setup.Fresh(OtherResearcher), Ct)).Items).MyRequest);
    }
}
