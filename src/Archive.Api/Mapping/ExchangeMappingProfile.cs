using System.Text.Json;
using Archive.Api.Contracts;
using Archive.Documents;
using Archive.Exchange;
using Archive.Handover;
using Archive.Transfer;
using AutoMapper;

namespace Archive.Api.Mapping;

/// <summary>Maps the package exchange: requests → engine requests, jobs and transfer records → DTOs (and the record back).</summary>
internal sealed class ExchangeMappingProfile : Profile
{
    public ExchangeMappingProfile()
    {
        const int depth = ArchiveApiMapper.MaxMappingDepth;

        // An omitted selection (fileCodes: null) means "all": it must stay null, not become an empty selection.
        AllowNullCollections = true;

        // Requests → engine.
        CreateMap<StartHandoverRequest, HandoverJobRequest>().MaxDepth(depth);
        CreateMap<HandoverDocumentsRequest, HandoverDocumentDetails>()
            .ForMember(d => d.HandingRepresentatives, o => o.MapFrom(s => s.HandingRepresentatives ?? Array.Empty<PersonDto>()))
            .ForMember(d => d.ReceivingRepresentatives, o => o.MapFrom(s => s.ReceivingRepresentatives ?? Array.Empty<PersonDto>()))
            .ForMember(d => d.Paper, o => o.Ignore())
            .MaxDepth(depth);
        CreateMap<PersonDto, Person>().ConstructUsing(s => new Person(s.FullName ?? string.Empty, s.Position)).MaxDepth(depth);
        CreateMap<StartTransferRequest, TransferJobRequest>().MaxDepth(depth);
        CreateMap<OpenReceiptRequest, ReceiptRequest>().MaxDepth(depth);
        CreateMap<AcceptPackageRequest, AcceptRequest>().MaxDepth(depth);

        // Engine → responses.
        CreateMap<PackageJob, PackageJobDto>()
            .ForMember(d => d.Kind, o => o.MapFrom(s => Camel(s.Kind.ToString())))
            .ForMember(d => d.State, o => o.MapFrom(s => Camel(s.State.ToString())))
            .MaxDepth(depth);
        CreateMap<BagProblem, PackageProblemDto>().ForMember(d => d.Kind, o => o.MapFrom(s => Camel(s.Kind.ToString()))).MaxDepth(depth);

        // The transfer record travels between two archives: both ways.
        CreateMap<TransferRecordData, TransferRecordDto>().MaxDepth(depth);
        CreateMap<TransferParty, TransferPartyDto>().MaxDepth(depth);
        CreateMap<KeyValuePair<string, string>, TransferFondsDto>().MaxDepth(depth);
        CreateMap<TransferRecordDto, TransferRecordData>().MaxDepth(depth);
        CreateMap<TransferPartyDto, TransferParty>().MaxDepth(depth);
        CreateMap<TransferFondsDto, KeyValuePair<string, string>>().ConstructUsing(s => new KeyValuePair<string, string>(s.Key, s.Value)).MaxDepth(depth);
    }

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);
}
