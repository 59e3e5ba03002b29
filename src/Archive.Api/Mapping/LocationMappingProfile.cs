using Archive.Api.Contracts;
using Archive.Locations;
using Archive.Records;
using AutoMapper;

namespace Archive.Api.Mapping;

/// <summary>Maps storage rooms, locations, carriers and boxes (issue #18 item 1) between the engine and the DTOs.</summary>
internal sealed class LocationMappingProfile : Profile
{
    public LocationMappingProfile()
    {
        const int depth = ArchiveApiMapper.MaxMappingDepth;

        // Requests → engine inputs.
        CreateMap<CreateStorageRoomRequest, StorageRoomInput>().MaxDepth(depth);
        CreateMap<PhysicalLocationDto, PhysicalLocation>().MaxDepth(depth);
        CreateMap<DigitalCarrierDto, DigitalCarrier>().MaxDepth(depth);

        // Engine → responses (PhysicalLocation and DigitalCarrier also inside RecordFileDto).
        CreateMap<PhysicalLocation, PhysicalLocationDto>().MaxDepth(depth);
        CreateMap<DigitalCarrier, DigitalCarrierDto>().MaxDepth(depth);
        CreateMap<Versioned<StorageRoom>, StorageRoomDto>()
            .IncludeMembers(s => s.Value)
            .ForMember(d => d.Version, o => o.MapFrom(s => s.Version))
            .ForMember(d => d.Modified, o => o.MapFrom(s => s.Modified))
            .ForMember(d => d.ModifiedBy, o => o.MapFrom(s => s.ModifiedBy))
            .MaxDepth(depth);
        CreateMap<StorageRoom, StorageRoomDto>(MemberList.None).MaxDepth(depth);
        CreateMap<BoxSummary, BoxSummaryDto>().MaxDepth(depth);
        CreateMap<Versioned<RecordFile>, BoxedRecordFileDto>()
            .IncludeMembers(s => s.Value)
            .ForMember(d => d.Version, o => o.MapFrom(s => s.Version))
            .MaxDepth(depth);
        CreateMap<RecordFile, BoxedRecordFileDto>(MemberList.None).MaxDepth(depth);
    }
}
