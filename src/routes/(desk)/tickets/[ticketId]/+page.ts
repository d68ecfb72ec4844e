export const load = ({ params }) => ({ ticketId: params.ticketId });
