using Archive.Api.Contracts;
using Archive.Indexing;
using Archive.Packages;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using AutoMapper;

namespace Archive.Api.Mapping;

/// <summary>
/// The AutoMapper configuration of Archive.Api (kept private to this package: the host's own AutoMapper setup, if
/// any, is not touched). Every map is between the engine's records and flat DTOs, and every map sets
/// <see cref="MaxMappingDepth"/> — a guard against the deep-recursion advisory GHSA-rvv3-g6hj-g44x of AutoMapper 14.
/// </summary>
internal sealed class ArchiveApiMapper
{
    /// <summary>Deepest object graph any map follows (record file → document → content file is 3).</summary>
    public const int MaxMappingDepth = 4;

    private readonly IMapper _mapper;

    public ArchiveApiMapper()
    {
        var configuration = new MapperConfiguration(cfg =>
        {
            cfg.AddProfile<ArchiveApiMappingProfile>();
            cfg.AddProfile<ReorganisationMappingProfile>();
            cfg.AddProfile<ExchangeMappingProfile>();
            cfg.AddProfile<LocationMappingProfile>();
        });
        configuration.AssertConfigurationIsValid();
        _mapper = configuration.CreateMapper();
    }

    public TDestination Map<TDestination>(object source) => _mapper.Map<TDestination>(source);
}

/// <summary>Maps engine records to response DTOs and request DTOs to engine inputs.</summary>
internal sealed class ArchiveApiMappingProfile : Profile
{
    public ArchiveApiMappingProfile()
    {
        const int depth = ArchiveApiMapper.MaxMappingDepth;

        // Requests → engine inputs.
        CreateMap<CreateAgencyRequest, Agency>().MaxDepth(depth);
        CreateMap<CreateFondsRequest, FondsInput>().MaxDepth(depth);
        CreateMap<RecordFileRequest, RecordFileInput>()
            .ForMember(d => d.Maintenance, o => o.Ignore()) // parsed by the endpoint, which names the field on error
            .ForMember(d => d.Language, o => o.MapFrom(s => ContractValues.LanguageToStored(s.Language)))
            .MaxDepth(depth);
        CreateMap<DocumentRequest, DocumentInput>()
            .ForMember(d => d.SignerInfo, o => o.MapFrom(s => s.SignerPosition == null && s.SignerFullName == null ? null : new Signer(s.SignerPosition, s.SignerFullName)))
            .ForMember(d => d.ConfidenceLevel, o => o.MapFrom(s => s.ConfidenceLevel ?? Reliability.BornDigital))
            .ForMember(d => d.Language, o => o.MapFrom(s => ContractValues.LanguageToStored(s.Language)))
            .MaxDepth(depth);

        // Engine → responses.
        CreateMap<Versioned<Agency>, AgencyDto>()
            .IncludeMembers(s => s.Value)
            .ForMember(d => d.Version, o => o.MapFrom(s => s.Version))
            .ForMember(d => d.Modified, o => o.MapFrom(s => s.Modified))
            .ForMember(d => d.ModifiedBy, o => o.MapFrom(s => s.ModifiedBy))
            .MaxDepth(depth);
        CreateMap<Agency, AgencyDto>(MemberList.None).MaxDepth(depth);

        CreateMap<Versioned<Fonds>, FondsDto>()
            .IncludeMembers(s => s.Value)
            .ForMember(d => d.Version, o => o.MapFrom(s => s.Version))
            .ForMember(d => d.Modified, o => o.MapFrom(s => s.Modified))
            .ForMember(d => d.ModifiedBy, o => o.MapFrom(s => s.ModifiedBy))
            .MaxDepth(depth);
        CreateMap<Fonds, FondsDto>(MemberList.None).MaxDepth(depth);

        CreateMap<Versioned<RecordFile>, RecordFileDto>()
            .IncludeMembers(s => s.Value)
            .ForMember(d => d.Version, o => o.MapFrom(s => s.Version))
            .ForMember(d => d.HeadVersion, o => o.MapFrom(s => s.HeadVersion))
            .ForMember(d => d.Modified, o => o.MapFrom(s => s.Modified))
            .ForMember(d => d.ModifiedBy, o => o.MapFrom(s => s.ModifiedBy))
            .ForMember(d => d.Warnings, o => o.Ignore())
            .ForMember(d => d.Projection, o => o.Ignore())
            .MaxDepth(depth);
        CreateMap<RecordFile, RecordFileDto>(MemberList.None)
            .ForMember(d => d.Maintenance, o => o.MapFrom(s => s.Maintenance.ToString()))
            .ForMember(d => d.MaintenanceLabel, o => o.MapFrom(s => s.Maintenance.ToVietnamese()))
            .ForMember(d => d.Language, o => o.MapFrom(s => ContractValues.LanguageToContract(s.Language)))
            .MaxDepth(depth);
        CreateMap<Document, DocumentDto>()
            .ForMember(d => d.SignerPosition, o => o.MapFrom(s => s.SignerInfo == null ? null : s.SignerInfo.Position))
            .ForMember(d => d.SignerFullName, o => o.MapFrom(s => s.SignerInfo == null ? null : s.SignerInfo.FullName))
            .ForMember(d => d.Language, o => o.MapFrom(s => ContractValues.LanguageToContract(s.Language)))
            .MaxDepth(depth);
        CreateMap<ContentFile, ContentFileDto>().MaxDepth(depth);
        CreateMap<NonArchivalMark, NonArchivalMarkDto>().MaxDepth(depth);
        CreateMap<RecordWarning, FieldError>().MaxDepth(depth);
        CreateMap<VersionInfo, VersionInfoDto>().MaxDepth(depth);
        CreateMap<NonArchivalEntry, NonArchivalEntryDto>()
            .ForMember(d => d.Kind, o => o.MapFrom(s => s.Mark.Kind))
            .ForMember(d => d.Reason, o => o.MapFrom(s => s.Mark.Reason))
            .ForMember(d => d.MarkedAt, o => o.MapFrom(s => s.Mark.MarkedAt))
            .ForMember(d => d.MarkedBy, o => o.MapFrom(s => s.Mark.MarkedBy))
            .MaxDepth(depth);
        CreateMap<FixityReport, FixityReportDto>().MaxDepth(depth);
        CreateMap<FixityProblem, FixityProblemDto>()
            .ForMember(d => d.Kind, o => o.MapFrom(s => s.Kind.ToString()))
            .MaxDepth(depth);

        CreateMap<SearchResults, SearchResultsDto>()
            .ForMember(d => d.Facets, o => o.MapFrom(s => s.Facets.ToDictionary(f => f.Key, f => (IReadOnlyList<FacetValueDto>)f.Value.Select(v => new FacetValueDto { Value = f.Key == SearchFields.Status ? ContractValues.StatusToContract(v.Value)! : v.Value, Count = v.Count }).ToList())))
            .MaxDepth(depth);
        CreateMap<SearchHit, SearchHitDto>()
            .IncludeMembers(s => s.Document)
            .ForMember(d => d.Score, o => o.MapFrom(s => s.Score))
            .ForMember(d => d.Highlights, o => o.MapFrom(s => s.Highlights))
            .MaxDepth(depth);
        CreateMap<SearchDocument, SearchHitDto>(MemberList.None)
            .ForMember(d => d.FondsCode, o => o.MapFrom(s => s.FondsId))
            .ForMember(d => d.Status, o => o.MapFrom(s => ContractValues.StatusToContract(s.Status)))
            .MaxDepth(depth);
        CreateMap<Highlight, HighlightDto>().MaxDepth(depth);

        CreateMap<RetentionSchedule, RetentionScheduleDto>()
            .ForMember(d => d.Version, o => o.Ignore())
            .MaxDepth(depth);
        CreateMap<RetentionCategory, RetentionCategoryDto>().MaxDepth(depth);
        CreateMap<RetentionScheduleItem, RetentionItemDto>()
            .ForMember(d => d.Retention, o => o.MapFrom(s => s.Retention.ToString()))
            .MaxDepth(depth);
        CreateMap<RetentionDueReport, DueReportDto>().MaxDepth(depth);
        CreateMap<RetentionDueItem, DueItemDto>()
            .ForMember(d => d.Maintenance, o => o.MapFrom(s => s.Maintenance.ToString()))
            .MaxDepth(depth);
        CreateMap<ReindexStatus, ReindexStatusDto>()
            .ForMember(d => d.State, o => o.MapFrom(s => s.State.ToString()))
            .MaxDepth(depth);
    }
}
