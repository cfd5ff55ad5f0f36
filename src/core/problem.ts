/** What is wrong with an input, at the JSON pointer of the field it is about: the one shape every layer reports. */
export interface Problem {
  /** JSON pointer into the input (for the API: into the request part named by `in`, the body unless said otherwise). */
  path: string;
  message: string;
  in?: 'querystring' | 'params' | 'headers';
}
