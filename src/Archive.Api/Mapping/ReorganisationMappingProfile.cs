using Archive.Api.Contracts;
using Archive.Records;
using Archive.Reorganisation;
using AutoMapper;

namespace Archive.Api.Mapping;

/// <summary>Maps reorganisation requests to engine inputs and events, custody answers and plans to responses.</summary>
internal sealed class ReorganisationMappingProfile : Profile
{
    public ReorganisationMappingProfile()
    {
        const int depth = ArchiveApiMapper.MaxMappingDepth;

        CreateMap<RecordReorganisationRequest, ReorganisationEventInput>().MaxDepth(depth);
        CreateMap<AffectedAgencyDto, AffectedAgency>().MaxDepth(depth);
        CreateMap<FondsSuccessionDto, FondsSuccession>().MaxDepth(depth);
        CreateMap<PlanTaskRequest, PlanTaskInput>().MaxDepth(depth);

        CreateMap<AffectedAgency, AffectedAgencyDto>().MaxDepth(depth);
        CreateMap<FondsSuccession, FondsSuccessionDto>().MaxDepth(depth);
        CreateMap<CustodyTransfer, CustodyTransferDto>().MaxDepth(depth);
        CreateMap<Versioned<ReorganisationEvent>, ReorganisationEventDto>()
            .IncludeMembers(s => s.Value)
            .ForMember(d => d.Version, o => o.MapFrom(s => s.Version))
            .ForMember(d => d.Modified, o => o.MapFrom(s => s.Modified))
            .ForMember(d => d.ModifiedBy, o => o.MapFrom(s => s.ModifiedBy))
            .MaxDepth(depth);
        CreateMap<ReorganisationEvent, ReorganisationEventDto>(MemberList.None).MaxDepth(depth);
        CreateMap<CustodyStep, CustodyStepDto>().MaxDepth(depth);
        CreateMap<CustodyAnswer, CustodyDto>().MaxDepth(depth);

        CreateMap<PlanTask, PlanTaskDto>().MaxDepth(depth);
        CreateMap<Versioned<ReorganisationPlan>, PlanDto>()
            .IncludeMembers(s => s.Value)
            .ForMember(d => d.Version, o => o.MapFrom(s => s.Version))
            .ForMember(d => d.Modified, o => o.MapFrom(s => s.Modified))
            .ForMember(d => d.ModifiedBy, o => o.MapFrom(s => s.ModifiedBy))
            .MaxDepth(depth);
        CreateMap<ReorganisationPlan, PlanDto>(MemberList.None).MaxDepth(depth);
        CreateMap<PlanIssue, PlanIssueDto>().MaxDepth(depth);
        CreateMap<PlanProgress, PlanProgressDto>().MaxDepth(depth);
        CreateMap<PlanReport, PlanReportDto>().MaxDepth(depth);
    }
}
