export const load = ({ params }) => ({ clientId: params.clientId });
