using Archive.Core.Tests.Records;
using Archive.Handover;
using Archive.Records;
using Archive.Reorganisation;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Reorganisation;

/// <summary>The real engine (AddArchive + AddReorganisation) with communes A and B, the new commune C, and D, E.</summary>
internal static class ReorgFixture
{
    public const string A = "000.01.31.H26";
    public const string B = "000.02.31.H26";
    public const string C = "000.03.31.H26";
    public const string D = "000.04.31.H26";
    public const string E = "000.05.31.H26";
    public static readonly DateOnly Effective = new(2025, 7, 1);

    public static ArchiveHarness Create() => ArchiveHarness.Create(services: s => new Builder(s).AddReorganisation());

    public static ReorganisationService Events(this ArchiveHarness h) => h.Services.GetRequiredService<ReorganisationService>();

    public static ReorganisationPlanService Plans(this ArchiveHarness h) => h.Services.GetRequiredService<ReorganisationPlanService>();

    public static HandoverService Handover(this ArchiveHarness h) => h.Services.GetRequiredService<HandoverService>();

    public static async Task SeedCommunesAsync(this ArchiveHarness h)
    {
        await h.SeedAsync(A, "P-A", "Ủy ban nhân dân xã An Bình");
        await h.SeedAsync(B, "P-B", "Ủy ban nhân dân xã Bình Minh");
        await h.SeedAsync(C, "P-C", "Ủy ban nhân dân xã An Minh");
        await h.SeedAsync(D, "P-D", "Ủy ban nhân dân xã Đông Hòa");
        await h.SeedAsync(E, "P-E", "Ủy ban nhân dân xã Hòa Bình");
    }

    public static ReorganisationEventInput Consolidation(string id = "2025-NQ-1656") => new()
    {
        Id = id,
        Kind = ReorganisationKind.Consolidation,
        DecisionNumber = "1656/NQ-UBTVQH15",
        DecisionDate = new DateOnly(2025, 6, 16),
        DecisionAuthority = "Ủy ban Thường vụ Quốc hội",
        EffectiveDate = Effective,
        Affected =
        [
            new AffectedAgency { AgencyId = A, SuccessorAgencyId = C },
            new AffectedAgency { AgencyId = B, SuccessorAgencyId = C },
        ],
    };

    public static async Task<ReorganisationEvent> RecordAndApplyAsync(this ArchiveHarness h, ReorganisationEventInput input)
    {
        var ct = TestContext.Current.CancellationToken;
        await h.Events().RecordAsync(input, ArchiveHarness.User, ct);
        return (await h.Events().ApplyAsync(input.Id, input.EffectiveDate!.Value, ArchiveHarness.User, ct)).Event;
    }

    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
