using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Records;
using Archive.Search;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Security;

/// <summary>The engine's access policy, without HTTP: custody (following the fonds' custodian), 404 versus 403, clearance, the researcher rule, audited refusals.</summary>
public sealed class AccessPolicyTests
{
    private const string OtherAgency = "000.00.00.G10";
    private const string OtherFonds = "P-G10";

    [Fact]
    public async Task Custody_clearance_and_the_researcher_rule_decide_between_allowed_not_found_and_denied()
    {
        var ct = TestContext.Current.CancellationToken;
        var trail = new RecordingTrail();
        await using var h = ArchiveHarness.Create(services: s => s.AddSingleton<IAuditTrail>(trail));
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Sở Nội vụ");
        var policy = h.Services.GetRequiredService<IArchiveAccessPolicy>();
        var file = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored;
        var secret = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.MAT") with { Rights = AccessLevel.Secret }, ArchiveHarness.User, ct)).Stored;
        var code = file.Value.FileCode;

        var clerk = Caller(ArchiveRoles.Clerk, ArchiveHarness.AgencyId);
        Assert.Same(file, await policy.RequireChangeAsync(clerk, file, code, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await policy.RequireReadAsync(clerk, secret, secret.Value.FileCode, ct));
        Assert.True(await policy.CanReadAsync(Caller(ArchiveRoles.Clerk, ArchiveHarness.AgencyId, clearance: true), secret.Value, ct));

        // Another agency's clerk, a researcher and an anonymous reader: not found (existence not revealed), audited as denied.
        foreach (var outsider in new[] { Caller(ArchiveRoles.Clerk, OtherAgency), Caller(ArchiveRoles.Researcher), ArchiveCaller.Anonymous() })
        {
            await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await policy.RequireReadAsync(outsider, file, code, ct));
        }

        Assert.Equal(3, trail.Events.Count(e => e.Outcome == AuditOutcome.Denied && e.ObjectId == code && e.Detail == ArchiveAccessPolicy.NotVisibleDetail));
        Assert.Contains(trail.Events, e => e.Actor == ArchiveCaller.AnonymousActor);

        // A supervisor reads across agencies but changes nothing of theirs: 403 (scope.agency), audited.
        var supervisor = Caller(ArchiveRoles.Supervisor);
        Assert.Same(file, await policy.RequireReadAsync(supervisor, file, code, ct));
        var denied = await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await policy.RequireChangeAsync(supervisor, file, code, ct));
        Assert.Equal(AccessRules.AgencyScope, denied.Rule);
        Assert.Contains(trail.Events, e => e.Outcome == AuditOutcome.Denied && e.Actor == "supervisor" && e.Detail == "agency scope");
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await policy.RequireAdministratorAsync(supervisor, "agency", null, ct));
        await policy.RequireAdministratorAsync(Caller(ArchiveRoles.Administrator), "agency", null, ct);
        Assert.Equal(AccessRules.StaffOnly, (await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await policy.RequireStaffAsync(Caller(ArchiveRoles.Researcher), "plan", "E1", ct))).Rule);

        // Once accessioned and public, everyone reads it.
        var accessioned = file.Value with { AccessionedAt = DateTimeOffset.UtcNow };
        Assert.True(await policy.CanReadAsync(ArchiveCaller.Anonymous(), accessioned, ct));
        Assert.True(await policy.CanReadAsync(Caller(ArchiveRoles.Researcher), accessioned, ct));
        Assert.False(await policy.CanReadAsync(Caller(ArchiveRoles.Researcher), secret.Value with { AccessionedAt = DateTimeOffset.UtcNow }, ct));
    }

    [Fact]
    public async Task Custody_follows_the_fonds_custodian_and_is_remembered_for_the_callers_lifetime_only()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Sở Nội vụ");
        var policy = h.Services.GetRequiredService<IArchiveAccessPolicy>();
        var file = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored;
        var code = file.Value.FileCode;

        var before = Caller(ArchiveRoles.Clerk, OtherAgency);
        Assert.False(await policy.CanReadAsync(before, file.Value, ct));
        var filters = await policy.SearchFiltersAsync(before, ct);
        Assert.Equal([OtherFonds], Assert.Single(filters.OfType<TermsFilter>(), f => f.Field == SearchFields.Fonds).Values);

        // The other agency takes custody (as a reorganisation does).
        var fonds = (await h.Fonds.GetAsync(ArchiveHarness.FondsCode, ct))!;
        await h.Fonds.UpdateAsync(new FondsInput { Code = fonds.Value.Code, Name = fonds.Value.Name, AgencyId = fonds.Value.AgencyId, CustodianAgencyId = OtherAgency }, fonds.Version, ArchiveHarness.User, ct);

        Assert.False(await policy.CanReadAsync(before, file.Value, ct)); // this caller's answer is remembered
        var after = Caller(ArchiveRoles.Clerk, OtherAgency);
        Assert.Same(file, await policy.RequireChangeAsync(after, file, code, ct));
        Assert.Equal(OtherAgency, await policy.GetCustodianAsync(after, ArchiveHarness.FondsCode, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await policy.RequireReadAsync(Caller(ArchiveRoles.Clerk, ArchiveHarness.AgencyId), file, code, ct));
        Assert.Equal([ArchiveHarness.FondsCode, OtherFonds], Assert.Single((await policy.SearchFiltersAsync(after, ct)).OfType<TermsFilter>(), f => f.Field == SearchFields.Fonds).Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_engine_redacts_the_trail_for_uncleared_auditors_and_audits_every_code_collision()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var policy = h.Services.GetRequiredService<IArchiveAccessPolicy>();
        var log = h.Services.GetRequiredService<IAuditLog>();
        var secret = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.MAT") with { Rights = AccessLevel.Secret }, ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var open = (await h.Files.CreateAsync(ArchiveHarness.FileInput("03.CV"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var cleared = Caller(ArchiveRoles.Archivist, ArchiveHarness.AgencyId, clearance: true);
        var uncleared = Caller(ArchiveRoles.Archivist, ArchiveHarness.AgencyId);

        await policy.AuditReadAsync(cleared, AuditActions.RecordRead, "record-file", secret, null, ct);
        await policy.AuditReadAsync(cleared, AuditActions.Search, "search", "-", "q=Xuyênsơn", ct);
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await policy.RequireReadAsync(uncleared, await h.Files.GetAsync(secret, ct), secret, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await policy.RequireReadAsync(uncleared, null, "000.00.00.G09.2015.99.XYZ", ct));
        await policy.AuditCodeCollisionAsync(uncleared, secret, ct);
        await policy.AuditCodeCollisionAsync(uncleared, open, ct);

        var query = new AuditQuery { PageSize = 1000 };
        var everything = (await policy.QueryAuditAsync(cleared, log, query, ct)).Records;
        Assert.Contains(everything, r => r.Event.Action == AuditActions.HiddenCodeCollision && r.Event.ObjectId == secret && r.Event.Classification == AccessLevel.Secret);
        Assert.Contains(everything, r => r.Event.Action == AuditActions.CodeCollision && r.Event.ObjectId == open);
        Assert.Contains(everything, r => r.Event.Action == AuditActions.Search && r.Event.Detail == "q=Xuyênsơn");
        var refusals = everything.Where(r => r.Event.Detail == ArchiveAccessPolicy.NotVisibleDetail).ToList();
        Assert.Equal(2, refusals.Count); // the missing code is audited like the hidden one
        Assert.Equal([AccessLevel.Secret, null], refusals.Select(r => r.Event.Classification));

        var supervisor = Caller(ArchiveRoles.Supervisor);
        var shown = (await policy.QueryAuditAsync(supervisor, log, query, ct)).Records;
        Assert.Equal(everything.Select(r => r.Sequence), shown.Select(r => r.Sequence)); // redacted, not withheld
        Assert.DoesNotContain(shown, r => r.Event.ObjectId?.Contains("02.MAT", StringComparison.Ordinal) == true || r.Event.Detail?.Contains("02.MAT", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(shown, r => r.Event.Detail?.Contains("Xuyên", StringComparison.Ordinal) == true || r.Event.Classification is not null);
        Assert.All(shown.Where(r => r.Event.Detail == ArchiveAccessPolicy.NotVisibleDetail), r => Assert.True(r.Redacted && r.Event.ObjectId is null));
        Assert.Contains(shown, r => r.Event.Action == AuditActions.CodeCollision && r.Event.ObjectId == open && !r.Redacted);
        Assert.Empty((await policy.QueryAuditAsync(supervisor, log, query with { ObjectId = secret }, ct)).Records);
        Assert.True((await log.VerifyAsync(ct)).IsValid); // classified events hash and verify like the others
    }

    private static ArchiveCaller Caller(string role, string? agency = null, bool clearance = false)
        => ArchiveCaller.Authenticated(new ArchiveUser(role), [role], agency is null ? [] : [agency], clearance);

    private sealed class RecordingTrail : IAuditTrail
    {
        private long _sequence;

        public List<AuditEvent> Events { get; } = [];

        public ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
        {
            lock (Events)
            {
                Events.Add(auditEvent);
            }

            return ValueTask.FromResult(new AuditRecord { Sequence = Interlocked.Increment(ref _sequence), Timestamp = DateTimeOffset.UtcNow, Event = auditEvent, PreviousHash = new string('0', 64), Hash = new string('0', 64) });
        }
    }
}
