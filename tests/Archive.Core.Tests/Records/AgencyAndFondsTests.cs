using Xunit;
using Archive.Records;

namespace Archive.Core.Tests.Records;

public sealed class AgencyAndFondsTests
{
    [Fact]
    public async Task Agency_rules_are_reported_with_field_and_rule_and_nothing_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Agencies.CreateAsync(new Agency { Id = "g09 bad", Name = " ", ParentId = "000.00.00.H99" }, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e.Field == "id" && e.Rule == "agency-id.format");
        Assert.Contains(ex.Errors, e => e.Field == "name" && e.Rule == "required");
        Assert.Contains(ex.Errors, e => e.Field == "parentId" && e.Rule == "agency.not-found");
        Assert.Empty(await h.Agencies.ListAsync(ct));

        var noUser = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.G09", Name = "Bộ Nội vụ" }, new ArchiveUser(" "), ct));
        Assert.Equal("user.required", Assert.Single(noUser.Errors).Rule);
    }

    [Fact]
    public async Task Agency_duplicate_is_a_conflict_and_parent_cycles_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.H30", Name = "UBND tỉnh A" }, ArchiveHarness.User, ct);
        await h.Agencies.CreateAsync(new Agency { Id = "000.12.30.A36", Name = "Sở Nội vụ tỉnh A", ParentId = "000.00.00.H30" }, ArchiveHarness.User, ct);
        var dup = await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.H30", Name = "Khác" }, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.AlreadyExists, dup.Rule);

        var cycle = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Agencies.UpdateAsync(new Agency { Id = "000.00.00.H30", Name = "UBND tỉnh A", ParentId = "000.12.30.A36" }, null, ArchiveHarness.User, ct));
        Assert.Equal("agency.parent-cycle", Assert.Single(cycle.Errors).Rule);

        // Reorganisation: the province is merged; versions keep the history.
        var merged = await h.Agencies.UpdateAsync(new Agency { Id = "000.00.00.H30", Name = "UBND tỉnh A", Status = AgencyStatus.Merged }, 1, ArchiveHarness.User, ct);
        Assert.Equal(2, merged.Stored.Version);
        var history = await h.Agencies.GetHistoryAsync("000.00.00.H30", ct);
        Assert.Equal(2, history.Count);
        Assert.Equal(ArchiveHarness.User.Name, history[1].UserName);
        Assert.Equal(AgencyStatus.Active, (await h.Agencies.GetVersionAsync("000.00.00.H30", 1, ct))!.Value.Status);
        await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () =>
            await h.Agencies.UpdateAsync(new Agency { Id = "000.00.00.H30", Name = "Tên mới" }, 1, ArchiveHarness.User, ct));

        // The cache is rebuilt from storage after a restart.
        await h.ReopenAsync();
        var list = await h.Agencies.ListAsync(ct);
        Assert.Equal(["000.00.00.H30", "000.12.30.A36"], list.Select(a => a.Value.Id));
        Assert.Equal(AgencyStatus.Merged, list[0].Value.Status);
    }

    [Fact]
    public async Task One_fonds_per_agency_and_fonds_rules()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();

        var second = await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Fonds.CreateAsync(new FondsInput { Code = "P-OTHER", Name = "Phông khác", AgencyId = ArchiveHarness.AgencyId }, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.AgencyHasFonds, second.Rule);

        var sameCode = await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Fonds.CreateAsync(new FondsInput { Code = ArchiveHarness.FondsCode, Name = "x", AgencyId = ArchiveHarness.AgencyId }, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.AlreadyExists, sameCode.Rule);

        var invalid = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Fonds.CreateAsync(new FondsInput { Code = "../x", Name = "", AgencyId = "000.00.00.G01", CustodianAgencyId = "bad id" }, ArchiveHarness.User, ct));
        Assert.Contains(invalid.Errors, e => e.Field == "code" && e.Rule == "fonds.code-format");
        Assert.Contains(invalid.Errors, e => e.Field == "name" && e.Rule == "required");
        Assert.Contains(invalid.Errors, e => e.Field == "agencyId" && e.Rule == "agency.not-found");
        Assert.Contains(invalid.Errors, e => e.Field == "custodianAgencyId" && e.Rule == "agency-id.format");

        // The creating agency cannot change.
        await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.G01", Name = "Bộ khác" }, ArchiveHarness.User, ct);
        var moved = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Fonds.UpdateAsync(new FondsInput { Code = ArchiveHarness.FondsCode, Name = "Phông", AgencyId = "000.00.00.G01" }, null, ArchiveHarness.User, ct));
        Assert.Equal("fonds.agency-immutable", Assert.Single(moved.Errors).Rule);

        // The custodian can (reorganisation).
        var custody = await h.Fonds.UpdateAsync(new FondsInput { Code = ArchiveHarness.FondsCode, Name = "Phông Bộ Nội vụ", AgencyId = ArchiveHarness.AgencyId, CustodianAgencyId = "000.00.00.G01" }, 1, ArchiveHarness.User, ct);
        Assert.Equal("000.00.00.G01", custody.Stored.Value.CustodianAgencyId);
        Assert.Equal(2, custody.Stored.Version);
    }

    [Fact]
    public async Task Closing_is_irreversible_needs_a_reason_and_a_past_date()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var noReason = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2025, 1, 1), " ", null, ArchiveHarness.User, ct));
        Assert.Equal("fonds.closing-reason-required", Assert.Single(noReason.Errors).Rule);
        var future = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, DateOnly.FromDateTime(DateTime.Today.AddDays(10)), "Sáp nhập", null, ArchiveHarness.User, ct));
        Assert.Equal("fonds.closed-on-future", Assert.Single(future.Errors).Rule);
        await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () =>
            await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2025, 1, 1), "Sáp nhập", 7, ArchiveHarness.User, ct));
        Assert.Equal(FondsStatus.Open, (await h.Fonds.GetAsync(ArchiveHarness.FondsCode, ct))!.Value.Status);

        var closed = await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2025, 1, 1), "Sáp nhập theo Nghị quyết 01", 1, ArchiveHarness.User, ct);
        Assert.Equal(FondsStatus.Closed, closed.Stored.Value.Status);
        Assert.Equal(new DateOnly(2025, 1, 1), closed.Stored.Value.ClosedOn);
        await Assert.ThrowsAsync<FondsClosedException>(async () =>
            await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2025, 2, 1), "Lần hai", null, ArchiveHarness.User, ct));

        // An update of the description keeps it closed (there is no way to reopen).
        var edited = await h.Fonds.UpdateAsync(new FondsInput { Code = ArchiveHarness.FondsCode, Name = "Phông Bộ Nội vụ (đã đóng)", AgencyId = ArchiveHarness.AgencyId, History = "Sáp nhập năm 2025" }, null, ArchiveHarness.User, ct);
        Assert.Equal(FondsStatus.Closed, edited.Stored.Value.Status);
        await h.ReopenAsync();
        Assert.Equal(FondsStatus.Closed, (await h.Fonds.GetAsync(ArchiveHarness.FondsCode, ct))!.Value.Status);
        Assert.Equal(3, (await h.Fonds.GetHistoryAsync(ArchiveHarness.FondsCode, ct)).Count);
    }
}
